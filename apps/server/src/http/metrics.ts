import type { FastifyInstance } from "fastify";
import { collectDefaultMetrics } from "prom-client";
import { registry } from "../metrics/registry";

let defaultsCollected = false;

/** `GET /metrics` and `GET /api/metrics` (the seed's path): Prometheus text from the shared registry. */
export function registerMetricsRoutes(app: FastifyInstance): void {
  if (!defaultsCollected) {
    // Process metrics include event-loop delay (nodejs_eventloop_lag_*), heap and GC.
    collectDefaultMetrics({ register: registry });
    defaultsCollected = true;
  }
  const handler = async (_request: unknown, reply: { header(k: string, v: string): unknown }) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  };
  app.get("/metrics", handler);
  app.get("/api/metrics", handler);
}
