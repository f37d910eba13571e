import { z } from "zod";

/** The hub's publication envelope (docs/ws-protocol.md), parsed permissively. */
export const tradeSchema = z.object({
  symbol: z.string(),
  price: z.number(),
  size: z.number().optional(),
  eventTime: z.string(),
  receivedAt: z.number().optional(),
  source: z.string(),
  delayed: z.boolean(),
  suspicious: z.boolean().optional(),
});
export type LiveTrade = z.infer<typeof tradeSchema>;

export const statusSchema = z.object({
  state: z.enum(["PRIMARY_ACTIVE", "FALLBACK_ACTIVE", "BOTH_UNAVAILABLE"]),
  activeSource: z.string().nullable().optional(),
  delayed: z.boolean(),
  reason: z.string().nullable().optional(),
  changedAt: z.union([z.string(), z.number()]).nullable().optional(),
});
export type LiveStatus = z.infer<typeof statusSchema>;

export const publicationSchema = z.object({
  type: z.string(),
  channel: z.string(),
  offset: z.number().optional(),
  epoch: z.string().optional(),
  publishedAt: z.number().optional(),
  data: z.unknown(),
});
export type Publication = z.infer<typeof publicationSchema>;

export const tokenResponse = z.object({ token: z.string(), expiresAt: z.number(), hubUrl: z.string() });
