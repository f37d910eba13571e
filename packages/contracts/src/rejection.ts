import { z } from "zod";
import type { Trade } from "./market-data";

/** Why validation refused a tick; stored with the tick and counted per reason. */
export const tickRejectReasonSchema = z.enum([
  "non_positive_price",
  "negative_size",
  "future_timestamp",
  "invalid_timestamp",
]);
export type TickRejectReason = z.infer<typeof tickRejectReasonSchema>;

/** A rejected tick, kept whole so it can be persisted for audit: nothing is dropped silently. */
export interface RejectedTick {
  trade: Trade;
  reason: TickRejectReason;
  detail: string;
  rejectedAt: number;
}
