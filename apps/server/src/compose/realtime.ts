import type { Server } from "node:http";
import type { MarketBus } from "../bus";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { endToEndLatency } from "../pipeline/metrics";
import { Hub } from "../realtime/hub";
import type { StatusMessage } from "../realtime/publication";
import { attachSignalrTransport, type SignalrTransport } from "../realtime/transports/signalr";
import { attachSocketIoTransport, type SocketIoTransport } from "../realtime/transports/socketio";
import { attachWsTransport, type WsTransport } from "../realtime/transports/ws";

export interface Realtime {
  hub: Hub;
  ws: WsTransport;
  signalr: SignalrTransport;
  socketio: SocketIoTransport;
  shutdown(): Promise<void>;
}

/** The hub and its transports on the API's HTTP server, fed by the pipeline, the bars and the router. */
export function createRealtime(
  config: ServerConfig,
  server: Server,
  authSecret: string,
  logger: Logger,
  clock: Clock,
): Realtime {
  const hub = new Hub({
    clock,
    logger: logger.child({ component: "realtime" }),
    clientBuffer: config.WS_CLIENT_BUFFER,
    updatesPerSecond: config.WS_UPDATES_PER_SECOND,
  });
  const ws = attachWsTransport(server, hub, {
    secret: authSecret,
    allowedOrigins: config.WS_ALLOWED_ORIGINS,
    clock,
    logger: logger.child({ component: "ws" }),
  });
  // Same hub, same auth, origins and slow-client policy; only the framing differs (docs/ws-protocol.md).
  const signalr = attachSignalrTransport(server, hub, {
    secret: authSecret,
    allowedOrigins: config.WS_ALLOWED_ORIGINS,
    clock,
    logger: logger.child({ component: "signalr" }),
  });
  const socketio = attachSocketIoTransport(server, hub, {
    secret: authSecret,
    allowedOrigins: config.WS_ALLOWED_ORIGINS,
    clock,
    logger: logger.child({ component: "socketio" }),
  });
  return {
    hub,
    ws,
    signalr,
    socketio,
    async shutdown() {
      ws.stopAccepting();
      signalr.stopAccepting();
      socketio.stopAccepting();
      await hub.shutdown(config.WS_SHUTDOWN_TIMEOUT_SECONDS * 1000);
      await Promise.all([ws.close(), signalr.close(), socketio.close()]);
    },
  };
}

/**
 * The realtime half: everything the leader put on the bus (trades, quotes, bars, indicators, router
 * status) goes to this replica's hub. Every replica runs this, the leader included, so one process
 * and N replicas take the same path. The heartbeat's status is re-published only when it differs,
 * which gives a replica that joined late the current status without repeating it to everyone.
 */
export function publishMarketData(hub: Hub, bus: MarketBus, clock: Clock): () => void {
  const latency = {
    alpaca: endToEndLatency.labels("alpaca"),
    yahoo: endToEndLatency.labels("yahoo"),
    backfill: endToEndLatency.labels("backfill"),
  };
  let lastStatus: StatusMessage | null = null;
  const publishStatus = (status: StatusMessage) => {
    lastStatus = status;
    hub.publishStatus(status);
  };
  return bus.subscribe(({ message }) => {
    switch (message.type) {
      case "trade": {
        const { trade } = message;
        const eventMs = Date.parse(trade.eventTime);
        if (!Number.isNaN(eventMs)) latency[trade.source].observe(Math.max(0, clock.now() - eventMs) / 1000);
        hub.publishTrade(trade);
        return;
      }
      case "quote":
        hub.publishQuote(message.quote);
        return;
      case "bar":
        hub.publishBar(message.bar);
        return;
      case "indicator":
        hub.publishIndicator(message.indicator);
        return;
      case "status":
        publishStatus(message.status);
        return;
      case "leader":
        if (message.status !== null && !sameStatus(lastStatus, message.status)) publishStatus(message.status);
        return;
    }
  });
}

function sameStatus(a: StatusMessage | null, b: StatusMessage): boolean {
  return (
    a !== null &&
    a.state === b.state &&
    a.activeSource === b.activeSource &&
    a.delayed === b.delayed &&
    a.reason === b.reason &&
    a.changedAt === b.changedAt
  );
}
