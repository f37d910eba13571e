import type { FastifyInstance } from "fastify";
import type { Clock } from "../clock";
import {
  alpacaHealth,
  dataSourceHealth,
  overallHealth,
  realtimeHealth,
  stocksHealth,
} from "./health-answers";
import { readiness } from "./readiness";
import type { OpsViews, ReadinessSettings } from "./views";

/**
 * The runbooks' health endpoints (seed 004 RUNBOOK-001..005, seed 000); their bodies are built in
 * health-answers.ts. See docs/runbooks.md.
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  views: OpsViews,
  clock: Clock,
  settings: ReadinessSettings,
): void {
  app.get("/api/health/alpaca", () => alpacaHealth(views));
  app.get("/api/health/datasource", () => dataSourceHealth(views));
  app.get("/api/health/stocks", () => stocksHealth(views));
  app.get("/api/health/realtime", () => realtimeHealth(views));
  app.get("/readyz", async (_request, reply) => {
    const { ready, reasons, dependencies } = readiness(views, clock.now(), settings);
    if (!ready) return reply.code(503).send({ status: "not_ready", reasons, dependencies });
    return { status: "ready", reasons, dependencies };
  });
  app.get("/health", () => overallHealth(views, clock, settings));
}
