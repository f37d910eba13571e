import { monitorEventLoopDelay } from "node:perf_hooks";
import { Gauge } from "prom-client";
import { registry } from "../metrics/registry";

/**
 * Loaded only on the ingest thread (its own registry, merged into /metrics by the HTTP thread).
 * The process's default metrics describe the HTTP thread's event loop; this is the ingest loop's.
 */
export function registerIngestThreadMetrics(): void {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  new Gauge({
    name: "torghut_ingest_thread_event_loop_delay_seconds",
    help: "Event-loop delay of the ingest thread since the previous scrape, by quantile",
    labelNames: ["quantile"] as const,
    registers: [registry],
    collect() {
      this.set({ quantile: "0.5" }, delay.percentile(50) / 1e9);
      this.set({ quantile: "0.99" }, delay.percentile(99) / 1e9);
      this.set({ quantile: "1" }, delay.max / 1e9);
      delay.reset();
    },
  });
}
