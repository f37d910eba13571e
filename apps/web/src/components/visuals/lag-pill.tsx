import { type LatestPriceResponse } from "@torghut/contracts";
import { formatMs } from "@/lib/format";

/**
 * Lag from the latest API (now − event time of the newest trade), refreshed every second; amber
 * above the configured threshold, so a stalled feed cannot pass for a live one.
 */
export function LagPill({
  latest,
  samples,
  thresholdMs,
}: {
  latest: LatestPriceResponse | undefined;
  samples: number;
  thresholdMs: number;
}) {
  const lag = latest?.lagMs ?? null;
  const state = lag === null ? "none" : lag > thresholdMs ? "slow" : "ok";
  return (
    <span
      className={`pill lag-${state}`}
      data-testid="lag-pill"
      data-state={state}
      data-lag-ms={lag ?? ""}
      data-samples={samples}
      data-threshold-ms={thresholdMs}
      title={`Target: under ${formatMs(thresholdMs)}`}
    >
      {lag === null ? "lag: no ticks" : `lag ${formatMs(lag)}`}
      {latest?.delayed ? " · DELAYED" : ""}
    </span>
  );
}
