import { z } from "zod";
import { connectionStateSchema } from "@/lib/api";

const transition = z.object({
  from: z.string(),
  to: z.string(),
  reason: z.string(),
  actor: z.string(),
  event: z.string(),
  at: z.number(),
});
export type Transition = z.infer<typeof transition>;

export const datasourceResponse = z.object({
  status: z.string(),
  connectionState: connectionStateSchema,
  currentDataSource: z.string().nullable(),
  since: z.string().nullable(),
  fallbackCount: z.number(),
  recentTransitions: z.array(transition),
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
export type Datasource = z.infer<typeof datasourceResponse>;

export const realtimeResponse = z.object({
  status: z.string(),
  TotalConnections: z.number(),
  connectionsByTransport: z.record(z.string(), z.number()).optional(),
});
export type RealtimeHealth = z.infer<typeof realtimeResponse>;

export const opsResult = z.object({
  result: z.string(),
  action: z.string(),
  actor: z.string(),
  connectionState: z.string(),
});
