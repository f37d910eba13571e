import type { OpsSample } from "@torghut/contracts";

type Figure = Exclude<keyof OpsSample, "at">;

/**
 * The PromQL for each figure the ops console charts: the same quantities the in-memory history
 * samples, summed over every replica Prometheus scrapes. Lags are averages over the last minute.
 */
export const OPS_QUERIES: Record<Figure, string> = {
  messageRate: "sum(message_rate)",
  feedLagMs: "sum(rate(ws_lag_ms_sum[1m])) / sum(rate(ws_lag_ms_count[1m]))",
  writerLagMs:
    "1000 * sum(rate(torghut_store_writer_commit_lag_seconds_sum[1m])) / sum(rate(torghut_store_writer_commit_lag_seconds_count[1m]))",
  clients: "sum(torghut_realtime_connections)",
};
