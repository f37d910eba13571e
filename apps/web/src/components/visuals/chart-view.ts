import { INTERVAL_SECONDS, type ChartInterval } from "@/lib/bar-builder";
import { INDICATORS, type IndicatorKey } from "./indicators";

const DAY = 86_400_000;

/** Range presets and the interval each opens with (a year of minute bars is not a chart, it is a wall). */
export const RANGES = {
  "1D": { ms: DAY, interval: "1m" },
  "5D": { ms: 5 * DAY, interval: "5m" },
  "1M": { ms: 31 * DAY, interval: "15m" },
  "6M": { ms: 183 * DAY, interval: "1h" },
  "1Y": { ms: 366 * DAY, interval: "1d" },
} as const satisfies Record<string, { ms: number; interval: ChartInterval }>;
export type RangeKey = keyof typeof RANGES;

/** The API's longest range per interval (apps/server http/ta/params.ts MAX_RANGE_MS). */
export const MAX_RANGE_MS: Record<ChartInterval, number> = {
  "1m": 7 * DAY,
  "5m": 31 * DAY,
  "15m": 93 * DAY,
  "1h": 366 * DAY,
  "1d": 10 * 366 * DAY,
};

/** Everything a link needs to reproduce the view: `?symbol=&interval=&range=&indicators=&compare=`. */
export interface ChartView {
  symbol: string;
  interval: ChartInterval;
  range: RangeKey | null;
  indicators: IndicatorKey[];
  compare: string | null;
}

const cleanSymbol = (value: unknown): string | null =>
  typeof value === "string" && /^[A-Za-z][A-Za-z0-9.-]{0,9}$/.test(value.trim())
    ? value.trim().toUpperCase()
    : null;

/** Reads the URL's view; anything unknown falls back to the default, never to an error. */
export function parseChartView(params: Record<string, string | string[] | undefined>): ChartView {
  const one = (key: string) => (typeof params[key] === "string" ? params[key] : undefined);
  const range = one("range") !== undefined && one("range")! in RANGES ? (one("range") as RangeKey) : null;
  const interval =
    one("interval") !== undefined && one("interval")! in INTERVAL_SECONDS
      ? (one("interval") as ChartInterval)
      : range !== null
        ? RANGES[range].interval
        : "1m";
  const known = new Set<string>(INDICATORS.map((i) => i.key));
  const indicators = (one("indicators") ?? "")
    .split(",")
    .filter((k): k is IndicatorKey => known.has(k))
    .filter((k, i, all) => all.indexOf(k) === i);
  return {
    // Any text: the API says what is wrong with a malformed symbol, in the page's error banner.
    symbol: one("symbol")?.trim().toUpperCase().slice(0, 20) || "AAPL",
    interval,
    range,
    indicators,
    compare: cleanSymbol(one("compare")),
  };
}

export function chartViewQuery(view: ChartView, days: string | null): string {
  const params = new URLSearchParams({ symbol: view.symbol, interval: view.interval });
  if (view.range !== null) params.set("range", view.range);
  else if (days !== null) params.set("days", days);
  if (view.indicators.length > 0) params.set("indicators", view.indicators.join(","));
  if (view.compare !== null) params.set("compare", view.compare);
  return params.toString().replaceAll("%2C", ",");
}

/** Where the history starts for a range, clamped to what the API serves for the interval. */
export function rangeFromMs(
  range: RangeKey | null,
  interval: ChartInterval,
  nowMs: number,
): number | undefined {
  if (range === null) return undefined;
  const span = Math.min(RANGES[range].ms, MAX_RANGE_MS[interval]);
  return Math.floor((nowMs - span) / 60_000) * 60_000;
}
