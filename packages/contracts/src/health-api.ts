import { z } from "zod";
import { pricePresentationSchema } from "./market-status";
import { routerStateSchema } from "./router-state";

/** One row's freshness as the page reads it (the server sends symbolFreshnessSchema; a subset kept). */
const rowFreshnessSchema = z.object({
  symbol: z.string(),
  lastTradeAt: z.string().nullable(),
  stale: z.boolean(),
  staleReason: z.string().nullable(),
  staleDetail: z.string().nullable(),
});
export type RowFreshness = z.infer<typeof rowFreshnessSchema>;

/** `GET /api/health/stocks`: what the watchlist and banners show about the feed. */
export const stocksHealthResponseSchema = z.object({
  status: z.string(),
  currentDataSource: z.string(),
  connectionState: routerStateSchema,
  delayed: z.boolean(),
  pricesStale: z.boolean(),
  simulatedMarket: z.boolean(),
  // Newer fields are optional so that a page keeps working against an older server.
  presentation: pricePresentationSchema.optional(),
  market: z
    .object({ open: z.boolean(), decidedBy: z.string(), nextOpen: z.string().nullable() })
    .nullable()
    .optional(),
  lastPriceAt: z.string().nullable().optional(),
  symbols: z.array(rowFreshnessSchema).optional(),
});
export type StocksHealthResponse = z.infer<typeof stocksHealthResponseSchema>;

/** One router transition as `/api/health/datasource` lists it (in memory, newest last). */
export const routerTransitionSchema = z.object({
  from: z.string(),
  to: z.string(),
  reason: z.string(),
  actor: z.string(),
  event: z.string(),
  at: z.number(),
});
export type RouterTransition = z.infer<typeof routerTransitionSchema>;

/** `GET /api/health/datasource`: the router, validation and writer as the ops console shows them. */
export const datasourceResponseSchema = z.object({
  status: z.string(),
  connectionState: routerStateSchema,
  currentDataSource: z.string().nullable(),
  since: z.string().nullable(),
  fallbackCount: z.number(),
  recentTransitions: z.array(routerTransitionSchema),
  forcedMode: z.object({ active: z.boolean(), actor: z.string().nullable(), since: z.string().nullable() }),
  pricesStale: z.boolean(),
  messageRate: z.number(),
  validation: z
    .object({ checked: z.number(), suspicious: z.number(), rejected: z.number(), failureRate: z.number() })
    .nullable(),
  crossSource: z
    .object({ checks: z.number(), deltasOverThreshold: z.number(), thresholdPercent: z.number() })
    .nullable(),
  writer: z
    .object({
      queueDepth: z.number(),
      committed: z.number(),
      dropped: z.number(),
      commitLagMs: z.number().nullable(),
      lastCommitAt: z.number().nullable(),
    })
    .nullable(),
  simulatedMarket: z.boolean(),
});
export type DatasourceResponse = z.infer<typeof datasourceResponseSchema>;

/** `GET /api/health/realtime`: connected clients, in total and by transport. */
export const realtimeHealthResponseSchema = z.object({
  status: z.string(),
  TotalConnections: z.number(),
  connectionsByTransport: z.record(z.string(), z.number()).optional(),
});
export type RealtimeHealthResponse = z.infer<typeof realtimeHealthResponseSchema>;

/** The answer to an ops action (`POST /api/health/failover` and the others). */
export const opsActionResultSchema = z.object({
  result: z.string(),
  action: z.string(),
  actor: z.string(),
  connectionState: z.string(),
});
export type OpsActionResult = z.infer<typeof opsActionResultSchema>;
