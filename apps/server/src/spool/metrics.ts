import { Counter, Gauge } from "prom-client";
import { registry } from "../metrics/registry";

/** Live spools report their size at scrape time (one process may hold a spool per writer). */
export const spoolSources = new Set<() => { bytes: number; maxBytes: number }>();

export const spoolBytes = new Gauge({
  name: "torghut_spool_bytes",
  help: "Bytes of ticks in the local spool waiting to be replayed into the database",
  registers: [registry],
  collect() {
    let bytes = 0;
    for (const read of spoolSources) bytes += read().bytes;
    this.set(bytes);
  },
});

export const spoolMaxBytes = new Gauge({
  name: "torghut_spool_max_bytes",
  help: "The spool's byte bound (SPOOL_MAX_BYTES); appends past it are refused and counted as lost",
  registers: [registry],
  collect() {
    let bytes = 0;
    for (const read of spoolSources) bytes += read().maxBytes;
    this.set(bytes);
  },
});

export const spoolTicks = new Counter({
  name: "torghut_spool_ticks_total",
  help: "Ticks written to the spool (spooled) and committed from it (replayed)",
  labelNames: ["event"] as const,
  registers: [registry],
});
for (const event of ["spooled", "replayed"]) spoolTicks.labels(event).inc(0);

export const spoolCorruptSegments = new Counter({
  name: "torghut_spool_corrupt_segments_total",
  help: "Spool segments found damaged (torn tail, checksum mismatch); the damaged rest is set aside, not replayed",
  registers: [registry],
});
