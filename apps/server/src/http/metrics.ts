import type { FastifyInstance } from "fastify";
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  type MetricObjectWithValues,
  type MetricValue,
} from "prom-client";
import { registry } from "../metrics/registry";

let defaultsCollected = false;

type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/**
 * `GET /metrics` and `GET /api/metrics` (the seed's path): Prometheus text from the shared registry,
 * merged with the ingest thread's registry when ingest runs on its own thread (each thread has its
 * own module instances, so its own registry). If that thread cannot answer, this thread's metrics
 * are still served: its `torghut_ingest_thread_up` gauge says why ingest figures are missing.
 */
export function registerMetricsRoutes(app: FastifyInstance, otherThread?: () => Promise<MetricsJson>): void {
  if (!defaultsCollected) {
    // Process metrics include event-loop delay (nodejs_eventloop_lag_*), heap and GC.
    collectDefaultMetrics({ register: registry });
    defaultsCollected = true;
  }
  const handler = async (_request: unknown, reply: { header(k: string, v: string): unknown }) => {
    reply.header("content-type", registry.contentType);
    if (otherThread === undefined) return registry.metrics();
    const own = await registry.getMetricsAsJSON();
    const other = await otherThread().catch(() => null);
    return AggregatorRegistry.aggregate(other === null ? [own] : [own, other]).metrics();
  };
  app.get("/metrics", handler);
  app.get("/api/metrics", handler);
}
