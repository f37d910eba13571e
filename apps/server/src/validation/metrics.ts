import { Counter, Gauge } from "prom-client";
import { registry } from "../metrics/registry";
import type { RejectReason } from "./rules";

export const validationFailures = new Counter({
  name: "validation_failures_total",
  help: "Ticks rejected by validation, by reason",
  labelNames: ["reason"] as const,
  registers: [registry],
});
// Every reason starts at 0 so rate() and the failure-ratio alert have a series before the first failure.
for (const reason of [
  "non_positive_price",
  "negative_size",
  "future_timestamp",
  "invalid_timestamp",
] satisfies RejectReason[]) {
  validationFailures.labels(reason).inc(0);
}

export const validationChecked = new Counter({
  name: "validation_checked_total",
  help: "Ticks checked by validation (updated once per second)",
  registers: [registry],
});

export const validationFailureRate = new Gauge({
  name: "validation_failure_rate",
  help: "Rejected / checked ticks over the sliding window (default 5 min)",
  registers: [registry],
});

export const circuitBreakerTrips = new Counter({
  name: "circuit_breaker_trips_total",
  help: "Ticks flagged suspicious by the per-symbol price circuit breaker",
  labelNames: ["symbol"] as const,
  registers: [registry],
});

/**
 * Every traded symbol's trip count starts at 0, like the failure reasons above: otherwise a symbol's
 * first trip creates the series at 1 and increase() (the dashboard's panel) never shows it.
 */
export function countCircuitBreakerTripsFor(symbols: readonly string[]): void {
  for (const symbol of symbols) circuitBreakerTrips.labels(symbol).inc(0);
}
