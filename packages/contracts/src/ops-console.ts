import { z } from "zod";
import { routerStateSchema } from "./router-state";

/** One sample of the figures the ops console draws as small live charts (null: not measured here). */
export const opsSampleSchema = z.object({
  at: z.number(),
  messageRate: z.number().nullable(),
  /** Receive time minus event time of the newest trade heard (the feed's lag, as ws_lag_ms measures). */
  feedLagMs: z.number().nullable(),
  writerLagMs: z.number().nullable(),
  clients: z.number().nullable(),
});
export type OpsSample = z.infer<typeof opsSampleSchema>;

/**
 * `GET /api/health/history`, oldest first: the server's short in-memory history, or Prometheus's
 * (`source`) when PROMETHEUS_URL is set; `problem` says why Prometheus was not used when it should be.
 */
export const opsHistoryResponseSchema = z.object({
  intervalMs: z.number(),
  samples: z.array(opsSampleSchema),
  source: z.enum(["memory", "prometheus"]).optional(),
  problem: z.string().nullable().optional(),
});
export type OpsHistoryResponse = z.infer<typeof opsHistoryResponseSchema>;

/** One `source_events` row: a router transition or an audited operator action. */
export const sourceEventSchema = z.object({
  id: z.number(),
  at: z.string(),
  fromState: routerStateSchema.nullable(),
  toState: routerStateSchema,
  reason: z.string(),
  actor: z.string(),
});
export type SourceEventRecord = z.infer<typeof sourceEventSchema>;

/**
 * `GET /api/health/events?hours=&actor=&state=&q=&limit=`: the audit log, newest first, and the state
 * in force when the window opened (so a 24-hour timeline starts with the right band).
 */
export const sourceEventsResponseSchema = z.object({
  from: z.string(),
  to: z.string(),
  stateAtStart: routerStateSchema.nullable(),
  events: z.array(sourceEventSchema),
});
export type SourceEventsResponse = z.infer<typeof sourceEventsResponseSchema>;

/** `GET /api/health/rejections?hours=`: validation failures in the window, by reason. */
export const rejectionsByReasonResponseSchema = z.object({
  from: z.string(),
  total: z.number(),
  byReason: z.array(z.object({ reason: z.string(), count: z.number(), lastAt: z.string() })),
});
export type RejectionsByReasonResponse = z.infer<typeof rejectionsByReasonResponseSchema>;
