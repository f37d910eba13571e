import type { TickRejectReason, Trade } from "@torghut/contracts";

/** Why a tick was rejected: the `reason` label of validation_failures_total. */
export type RejectReason = TickRejectReason;

export interface RuleViolation {
  reason: RejectReason;
  /** Human text for the log line `Validation failed: <detail>`. */
  detail: string;
}

export interface TickRules {
  /** Event times up to this far ahead of our clock pass: venue clocks run ahead of hosts (pitfall 11). */
  futureToleranceMs: number;
}

/**
 * The per-tick rules of the validation table (seed 004): price > 0, size ≥ 0, event time not beyond
 * now + tolerance. Pure: `now` comes from the caller's injected clock. Returns null when the tick passes.
 */
export function checkTrade(trade: Trade, now: number, rules: TickRules): RuleViolation | null {
  if (!(trade.price > 0))
    return { reason: "non_positive_price", detail: `${trade.symbol} price ${trade.price} is not > 0` };
  if (!(trade.size >= 0))
    return { reason: "negative_size", detail: `${trade.symbol} size ${trade.size} is negative` };
  const eventMs = Date.parse(trade.eventTime);
  if (Number.isNaN(eventMs)) {
    return { reason: "invalid_timestamp", detail: `${trade.symbol} event time is not RFC-3339` };
  }
  const ahead = eventMs - now;
  if (ahead > rules.futureToleranceMs) {
    return {
      reason: "future_timestamp",
      detail: `${trade.symbol} event time ${trade.eventTime} is ${Math.round(ahead / 1000)} s ahead of now (tolerance ${Math.round(rules.futureToleranceMs / 1000)} s)`,
    };
  }
  return null;
}
