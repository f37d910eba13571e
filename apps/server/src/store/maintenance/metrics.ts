import { Counter, Histogram } from "prom-client";
import { registry } from "../../metrics/registry";

export const maintenanceRuns = new Counter({
  name: "torghut_store_maintenance_runs_total",
  help: "Storage maintenance rounds (partitions ahead, retention), by outcome",
  labelNames: ["outcome"] as const,
  registers: [registry],
});
for (const outcome of ["ok", "failed"]) maintenanceRuns.labels(outcome).inc(0);

export const maintenanceDuration = new Histogram({
  name: "torghut_store_maintenance_duration_seconds",
  help: "Time one storage maintenance round took",
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
  registers: [registry],
});

export const tickPartitionsCreated = new Counter({
  name: "torghut_store_tick_partitions_created_total",
  help: "Day partitions of ticks created ahead by the maintenance",
  registers: [registry],
});

export const tickPartitionsCompacted = new Counter({
  name: "torghut_store_tick_partitions_compacted_total",
  help: "Finished day partitions of ticks whose primary-key index was rebuilt packed",
  registers: [registry],
});

export const tickPartitionsDropped = new Counter({
  name: "torghut_store_tick_partitions_dropped_total",
  help: "Day partitions of ticks dropped by retention (TICK_RETENTION_DAYS)",
  registers: [registry],
});

export const retentionDeletedRows = new Counter({
  name: "torghut_store_retention_deleted_rows_total",
  help: "Rows deleted by retention outside whole partitions, by table kind",
  labelNames: ["kind"] as const,
  registers: [registry],
});
for (const kind of ["ticks_default", "bars"]) retentionDeletedRows.labels(kind).inc(0);
