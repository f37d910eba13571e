import { Counter, Gauge } from "prom-client";
import { registry } from "../metrics/registry";

export const marketOpenGauge = new Gauge({
  name: "market_open",
  help: "1 while the US equity session is open (trading-API clock, else the local NYSE calendar)",
  registers: [registry],
});

export const marketClockReadsTotal = new Counter({
  name: "market_clock_reads_total",
  help: "Market clock reads by clock (trading-api-clock, local-calendar) and outcome",
  labelNames: ["clock", "outcome"] as const,
  registers: [registry],
});
