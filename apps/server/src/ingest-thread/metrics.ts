import { Counter, Gauge } from "prom-client";
import { registry } from "../metrics/registry";

/** Kept on the HTTP thread, so they are served even while the ingest thread is down. */
export const ingestThreadUp = new Gauge({
  name: "torghut_ingest_thread_up",
  help: "1 while the ingest thread runs and reports (INGEST_THREAD=worker)",
  registers: [registry],
});

export const ingestThreadRestarts = new Counter({
  name: "torghut_ingest_thread_restarts_total",
  help: "Times the ingest thread died and was started again",
  registers: [registry],
});

export const ingestThreadConflated = new Counter({
  name: "torghut_ingest_thread_conflated_total",
  help: "Trades and quotes superseded by a newer one for the same symbol before reaching the hub (all were validated and stored)",
  registers: [registry],
});
