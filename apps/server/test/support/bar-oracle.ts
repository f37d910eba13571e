import type { Bar1m, SourceName } from "@torghut/contracts";
import type { IntervalBar } from "../../src/store/bars/bar-row";

/** The test's own bar of any interval, aggregated in JS straight from 1m bars (the served shape). */
export type OracleBar = IntervalBar;

const NEW_YORK_DAY = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/New_York",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  hourCycle: "h23",
});

/** Start of the bucket of `ms`: fixed widths from the epoch, or New York midnight for a day. */
export function bucketStart(ms: number, interval: "5m" | "15m" | "1h" | "1d"): number {
  if (interval !== "1d") {
    const width = { "5m": 300_000, "15m": 900_000, "1h": 3_600_000 }[interval];
    return Math.floor(ms / width) * width;
  }
  // New York midnight is 04:00 or 05:00 UTC; step back by whole hours until the local hour is 0.
  let t = Math.floor(ms / 3_600_000) * 3_600_000;
  while (NEW_YORK_DAY.formatToParts(t).find((p) => p.type === "hour")!.value !== "00") t -= 3_600_000;
  return t;
}

const LIVENESS: SourceName[] = ["alpaca", "backfill", "yahoo"];

export function aggregate(minutes: readonly Bar1m[], interval: "5m" | "15m" | "1h" | "1d"): OracleBar[] {
  const buckets = new Map<number, Bar1m[]>();
  for (const bar of [...minutes].sort((a, b) => a.minute.localeCompare(b.minute))) {
    const start = bucketStart(Date.parse(bar.minute), interval);
    buckets.set(start, [...(buckets.get(start) ?? []), bar]);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([start, bars]) => {
      const withVwap = bars.filter((b) => b.vwap !== null);
      const vwapVolume = withVwap.reduce((sum, b) => sum + b.volume, 0);
      return {
        time: new Date(start).toISOString(),
        open: bars[0]!.open,
        high: Math.max(...bars.map((b) => b.high)),
        low: Math.min(...bars.map((b) => b.low)),
        close: bars.at(-1)!.close,
        volume: bars.reduce((sum, b) => sum + b.volume, 0),
        vwap: vwapVolume > 0 ? withVwap.reduce((sum, b) => sum + b.vwap! * b.volume, 0) / vwapVolume : null,
        tradeCount: bars.reduce((sum, b) => sum + b.tradeCount, 0),
        source: LIVENESS[Math.max(...bars.map((b) => LIVENESS.indexOf(b.source)))]!,
        delayed: bars.some((b) => b.delayed),
      };
    });
}
