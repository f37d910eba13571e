import type { Server } from "node:http";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import type { Logger } from "../logger";
import { endToEndLatency, messageRateSources } from "../pipeline/metrics";
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
export function publishMarketData(hub: Hub, marketData: MarketData, storage: Storage, clock: Clock): () => void {
  const readRate = () => marketData.pipeline.stats().messagesPerSecond;
  messageRateSources.add(readRate);
  const latency = {
    alpaca: endToEndLatency.labels("alpaca"),
    yahoo: endToEndLatency.labels("yahoo"),
    backfill: endToEndLatency.labels("backfill"),
  };
  marketData.pipeline.onPublish((event) => {
    switch (event.type) {
      case "trade": {
        const { trade } = event;
        const eventMs = Date.parse(trade.eventTime);
        if (!Number.isNaN(eventMs)) latency[trade.source].observe(Math.max(0, clock.now() - eventMs) / 1000);
        hub.publishTrade(trade);
        return;
      }
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
  return () => messageRateSources.delete(readRate);
}
