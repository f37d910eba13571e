import type { Clock } from "../clock";
import type { Logger } from "../logger";
import { InProcessBus } from "./in-process-bus";
import type { MarketBus } from "./market-bus";
import { NatsBus } from "./nats-bus";

export type {
  BusHandler,
  BusHealth,
  BusPayloadHandler,
  BusPayloads,
  BusPublisher,
  BusSubscriber,
  MarketBus,
} from "./market-bus";
export { BusConnectError } from "./market-bus";
export type { BusDelivery, BusMessage, BusMessageType } from "./messages";
export { InProcessBus } from "./in-process-bus";
export { NatsBus } from "./nats-bus";

export interface BusSettings {
  BUS_URL?: string | undefined;
  BUS_SUBJECT_PREFIX: string;
  BUS_CREDENTIALS_FILE?: string | undefined;
}

/** NATS when BUS_URL is set, the in-process bus otherwise. */
export function createBus(settings: BusSettings, replicaId: string, logger: Logger, clock: Clock): MarketBus {
  const log = logger.child({ component: "market-bus" });
  return settings.BUS_URL === undefined
    ? new InProcessBus({ replicaId, clock, logger: log })
    : new NatsBus({
        url: settings.BUS_URL,
        subjectPrefix: settings.BUS_SUBJECT_PREFIX,
        ...(settings.BUS_CREDENTIALS_FILE === undefined
          ? {}
          : { credentialsFile: settings.BUS_CREDENTIALS_FILE }),
        replicaId,
        clock,
        logger: log,
      });
}
