import type { Server } from "node:http";
import type { BusSubscriber } from "../bus";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { endToEndLatency } from "../pipeline/metrics";
import { HUB_AUDIENCE, type TokenVerifier } from "../realtime/auth";
import { Hub } from "../realtime/hub";
import { IndicatorFeed } from "../realtime/indicator-feed";
import { AddressLedger } from "../realtime/transports/admission";
import { clientAddressOf } from "../security/client-address";
import type { StatusMessage } from "@torghut/contracts";
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
  tokens: TokenVerifier,
  logger: Logger,
  clock: Clock,
): Realtime {
  const hub = new Hub({
    clock,
    servedSymbols: config.symbols,
    logger: logger.child({ component: "realtime" }),
    clientBuffer: config.WS_CLIENT_BUFFER,
    updatesPerSecond: config.WS_UPDATES_PER_SECOND,
  });
  // Hub tokens only: an ops token (audience torghut-ops) opens no socket, a browser's token acts on nothing.
  const hubTokens = tokens.forAudience(HUB_AUDIENCE);
  // One connect budget and one open-connection count per client address, whichever transport it uses.
  const ledger = new AddressLedger(clock, {
    connectRatePerIp: config.WS_CONNECT_RATE_PER_IP,
    maxConnectionsPerIp: config.WS_MAX_CONNECTIONS_PER_IP,
  });
  // Same hub, auth, origins, admission and slow-client policy on every transport; only the framing
  // differs (docs/ws-protocol.md), and each logs as itself.
  const shared = {
    authenticate: hubTokens,
    allowedOrigins: config.WS_ALLOWED_ORIGINS,
    maxConnectionsPerIp: config.WS_MAX_CONNECTIONS_PER_IP,
    ledger,
    clientAddress: clientAddressOf(config.TRUSTED_PROXIES),
    clock,
  };
  const ws = attachWsTransport(server, hub, { ...shared, logger: logger.child({ component: "ws" }) });
  const signalr = attachSignalrTransport(server, hub, {
    ...shared,
    logger: logger.child({ component: "signalr" }),
  });
  const socketio = attachSocketIoTransport(server, hub, {
    ...shared,
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
 * The realtime half: everything the leader put on the bus (trades, quotes, bars, router status)
 * goes to this replica's hub, with the indicators derived from each bar. Every replica runs this, the leader included, so one process
 * and N replicas take the same path. The hub's trade and quote entries are the bus's subscribers
 * themselves (no relay function in between: the hottest path is one call shorter); the end-to-end
 * latency is a subscriber of its own. The heartbeat's status is re-published only when it differs,
 * which gives a replica that joined late the current status without repeating it to everyone.
 */
export function publishMarketData(hub: Hub, bus: BusSubscriber, clock: Clock): () => void {
  const latency = {
    alpaca: endToEndLatency.labels("alpaca"),
    yahoo: endToEndLatency.labels("yahoo"),
    backfill: endToEndLatency.labels("backfill"),
  };
  let lastStatus: StatusMessage | null = null;
  // Derived here, where clients subscribe to them, rather than on the (possibly threaded) ingest side.
  const indicators = new IndicatorFeed();
  const publishStatus = (status: StatusMessage) => {
    lastStatus = status;
    hub.publishStatus(status);
  };
  const offs = [
    bus.on("trade", (trade) => {
      const eventMs = Date.parse(trade.eventTime);
      if (!Number.isNaN(eventMs)) latency[trade.source].observe(Math.max(0, clock.now() - eventMs) / 1000);
    }),
    bus.on("trade", hub.publishTrade.bind(hub)),
    bus.on("quote", hub.publishQuote.bind(hub)),
    bus.on("bar", (bar) => {
      hub.publishBar(bar);
      const update = indicators.update(bar);
      if (update !== null) hub.publishIndicator(update);
    }),
    bus.on("status", publishStatus),
    bus.on("leader", (leader) => {
      if (leader.status !== null && !sameStatus(lastStatus, leader.status)) publishStatus(leader.status);
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
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
