import { Counter, Gauge } from "prom-client";
import { registry } from "../metrics/registry";

export const isLeaderGauge = new Gauge({
  name: "torghut_is_leader",
  help: "1 while this replica holds the Alpaca leadership (and may connect upstream)",
  registers: [registry],
});

export const leadershipChanges = new Counter({
  name: "torghut_leadership_changes_total",
  help: "Leadership gained or lost by this replica",
  labelNames: ["change", "reason"] as const,
  registers: [registry],
});

export const leaderEpochGauge = new Gauge({
  name: "torghut_leader_epoch",
  help: "Fencing epoch of the lease this replica holds (0 when it does not lead)",
  registers: [registry],
});
