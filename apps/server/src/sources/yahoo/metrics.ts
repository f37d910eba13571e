import { Counter, Gauge } from "prom-client";
import { registry } from "../../metrics/registry";

export const yahooRequestsTotal = new Counter({
  name: "yahoo_requests_total",
  help: "Yahoo chart requests by outcome",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const yahooBackoffSeconds = new Gauge({
  name: "yahoo_backoff_seconds",
  help: "Current Yahoo back-off after 429s (0 when none)",
  registers: [registry],
});

export const yahooPollDurationSeconds = new Gauge({
  name: "yahoo_last_poll_duration_seconds",
  help: "Duration of the last Yahoo poll cycle",
  registers: [registry],
});
