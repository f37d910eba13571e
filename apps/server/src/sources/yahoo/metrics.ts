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

export const yahooStandbyProbesTotal = new Counter({
  name: "yahoo_standby_probes_total",
  help: "Yahoo requests made while Alpaca is active, to know whether the fallback would work, by outcome",
  labelNames: ["outcome"] as const,
  registers: [registry],
});

export const yahooFallbackHealthy = new Gauge({
  name: "yahoo_fallback_healthy",
  help: "1 while Yahoo answers (polling as the active source, or probed on standby), 0 while it fails",
  registers: [registry],
});

export const yahooPollCyclesAbandoned = new Counter({
  name: "yahoo_poll_cycles_abandoned_total",
  help: "Yahoo poll cycles that did not finish within their deadline: abandoned, counted and restarted",
  registers: [registry],
});
