import { Gauge, Histogram } from "prom-client";
import { registry } from "../metrics/registry";

/** Pipelines whose rate `message_rate` reports (one per process in production; several in tests). */
export const messageRateSources = new Set<() => number>();

export const messageRate = new Gauge({
  name: "message_rate",
  help: "Market-data messages per second entering the pipeline (seed 004 RUNBOOK-004)",
  registers: [registry],
  collect() {
    let total = 0;
    for (const read of messageRateSources) total += read();
    this.set(total);
  },
});

/**
 * Exchange event time → handed to the real-time hub: the end-to-end latency the
 * AlpacaExtremeLatency alert watches (P95 > 10 s). Name kept from seed 004.
 */
export const endToEndLatency = new Histogram({
  name: "alpaca_message_latency_seconds",
  help: "Event time at the source to publication by the hub, seconds",
  labelNames: ["source"],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
  registers: [registry],
});
