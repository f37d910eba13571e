import type { Server } from "node:http";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { Hub } from "../realtime/hub";
import { IndicatorFeed } from "../realtime/indicator-feed";
import { attachWsTransport, type WsTransport } from "../realtime/transports/ws";
import type { MarketData } from "./market-data";
import type { Storage } from "./storage";

export interface Realtime {
  hub: Hub;
  ws: WsTransport;
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
  const hub = new Hub({ clock, logger: logger.child({ component: "realtime" }), clientBuffer: config.WS_CLIENT_BUFFER });
  const ws = attachWsTransport(server, hub, {
    secret: authSecret,
    allowedOrigins: config.WS_ALLOWED_ORIGINS,
    clock,
    logger: logger.child({ component: "ws" }),
  });
  return {
    hub,
    ws,
    async shutdown() {
      await hub.shutdown(config.WS_SHUTDOWN_TIMEOUT_SECONDS * 1000);
      await ws.close();
    },
  };
}

/** Everything the ingest side produces that clients see: trades, quotes, bars, indicators, router status. */
export function publishMarketData(hub: Hub, marketData: MarketData, storage: Storage): void {
  marketData.pipeline.onPublish((event) => {
    switch (event.type) {
      case "trade":
        hub.publishTrade(event.trade);
        return;
      case "quote":
        hub.publishQuote(event.quote);
        return;
      case "bar":
        // Upstream minute bars: the stored aggregate (below) is what clients chart, so these are not re-sent.
        return;
      case "status":
        return;
    }
  });
  const indicators = new IndicatorFeed();
  storage.onBar((bar) => {
    hub.publishBar(bar);
    const update = indicators.update(bar);
    if (update !== null) hub.publishIndicator(update);
  });
  const publishStatus = () => {
    const snapshot = marketData.router.snapshot();
    hub.publishStatus({
      state: snapshot.connectionState,
      activeSource: snapshot.currentDataSource,
      delayed: snapshot.currentDataSource === "yahoo",
      reason: snapshot.lastTransition?.reason ?? null,
      changedAt: Date.parse(snapshot.since),
    });
  };
  marketData.router.onStatus(publishStatus);
  publishStatus();
}
