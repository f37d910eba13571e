import { z } from "zod";
import type { StatusMessage } from "./live";
import type { Bar1m, LiveTrade, Quote } from "./market-data";

/**
 * What the ingest side hands to every realtime replica (over NATS, in process, or from the ingest
 * thread): the records clients see, plus the leader's heartbeat (who leads, and the router status,
 * so a replica that joins late learns both).
 */
export type BusMessage =
  | { type: "trade"; trade: LiveTrade }
  | { type: "quote"; quote: Quote }
  | { type: "bar"; bar: Bar1m }
  | { type: "status"; status: StatusMessage }
  | { type: "leader"; replicaId: string; since: number; status: StatusMessage | null };

export type BusMessageType = BusMessage["type"];

/** A message as a subscriber receives it: who sent it (replica id) and when (sender's clock, epoch ms). */
export interface BusDelivery {
  message: BusMessage;
  from: string;
  sentAt: number;
}

/** Bumped when the envelope changes shape, so a rolling upgrade drops (and counts) what it cannot read. */
export const BUS_WIRE_VERSION = 1;

/**
 * The envelope is checked; the payload is trusted because only Torghut replicas of the same wire
 * version publish on these subjects (validating every tick again would cost more than the hop).
 */
export const busEnvelopeSchema = z.object({
  v: z.literal(BUS_WIRE_VERSION),
  from: z.string().min(1),
  sentAt: z.number(),
  message: z.looseObject({
    // No "indicator": replicas derive indicators from bars; an older leader's are dropped and counted.
    type: z.enum(["trade", "quote", "bar", "status", "leader"]),
  }),
});
