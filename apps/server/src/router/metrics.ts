import { Counter, Gauge } from "prom-client";
import { registry } from "../metrics/registry";

/** 1 for the current state, 0 for the others (one series per state keeps alert rules simple). */
export const routerStateGauge = new Gauge({
  name: "datasource_router_state",
  help: "DataSourceRouter state: 1 for the current state",
  labelNames: ["state"] as const,
  registers: [registry],
});

export const routerTransitionsTotal = new Counter({
  name: "datasource_router_transitions_total",
  help: "DataSourceRouter state transitions",
  labelNames: ["from", "to"] as const,
  registers: [registry],
});

export const routerFailoversTotal = new Counter({
  name: "datasource_router_failovers_total",
  help: "Transitions away from PRIMARY_ACTIVE (the runbook's fallbackCount)",
  registers: [registry],
});

export const routerGraceSeconds = new Gauge({
  name: "datasource_router_recovery_grace_seconds",
  help: "Primary recovery grace period in force (lengthened by flap damping)",
  registers: [registry],
});

export const crossSourceChecksTotal = new Counter({
  name: "cross_source_checks_total",
  help: "Cross-source price comparisons (Yahoo sample vs primary)",
  labelNames: ["outcome"] as const,
  registers: [registry],
});
