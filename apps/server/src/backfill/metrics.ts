import { Counter } from "prom-client";
import { registry } from "../metrics/registry";

export const backfillRunsTotal = new Counter({
  name: "backfill_runs_total",
  help: "Gap backfill runs by data origin",
  labelNames: ["via"] as const,
  registers: [registry],
});

export const backfillBarsTotal = new Counter({
  name: "backfill_bars_total",
  help: "Bars written by gap backfill",
  labelNames: ["via"] as const,
  registers: [registry],
});
