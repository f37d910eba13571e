import type { CandlestickData, SeriesMarker, UTCTimestamp } from "lightweight-charts";
import type { Candle } from "@/lib/bar-builder";
import type { ProvenanceRun } from "@/lib/candle-columns";

/** Exact colours so the e2e pixel check can find rising and falling candles in a screenshot. */
export const UP_COLOR = "#00c878";
export const DOWN_COLOR = "#e6283c";
/** Yahoo (delayed) bars: amber, whichever way they moved (the body's fill says which). */
export const DELAYED_UP = "#f0a020";
export const DELAYED_DOWN = "#a86a10";
/** The marker of a backfilled run. */
export const BACKFILL_COLOR = "#7d8fa3";

export type BarKind = "live" | "delayed" | "backfill";

export function kindOf(run: Pick<ProvenanceRun, "source" | "delayed"> | undefined): BarKind {
  if (run === undefined) return "live";
  if (run.source === "backfill") return "backfill";
  return run.delayed ? "delayed" : "live";
}

/** The provenance run of every bar (index → run), walked once. */
export function runPerBar(count: number, runs: readonly ProvenanceRun[]): (ProvenanceRun | undefined)[] {
  const out = new Array<ProvenanceRun | undefined>(count);
  let r = 0;
  for (let i = 0; i < count; i++) {
    while (r + 1 < runs.length && runs[r + 1]!.start <= i) r++;
    out[i] = runs[r];
  }
  return out;
}

/**
 * Candles as drawn: live and backfilled bars in the series' own colours (a backfill is the venue's own
 * record, fetched late: marked where its run starts and named in the legend), delayed ones amber.
 */
export function styledCandles(
  candles: readonly Candle[],
  runs: readonly ProvenanceRun[],
): CandlestickData<UTCTimestamp>[] {
  const perBar = runs.length > 1 || kindOf(runs[0]) !== "live" ? runPerBar(candles.length, runs) : null;
  return candles.map((c, i) => {
    const data: CandlestickData<UTCTimestamp> = { ...c, time: c.time as UTCTimestamp };
    const kind = perBar === null ? "live" : kindOf(perBar[i]);
    if (kind === "delayed") {
      const colour = c.close >= c.open ? DELAYED_UP : DELAYED_DOWN;
      return { ...data, color: colour, borderColor: colour, wickColor: colour };
    }
    return data;
  });
}

/** A gap this many bars long or longer is labelled; a shorter one is a bare square. */
export const LABELLED_GAP_BARS = 3;

/**
 * Markers where the story changes: the first bar of every Yahoo or backfill run, and every gap
 * (bars missing inside a trading day) so a trader never reads a flat line across missing data. A
 * minute or two without a trade is common outside the busiest hours (pre-market, thin names); a label
 * on each would bury the candles, so those get the square alone and only longer gaps say how long.
 */
export function provenanceMarkers(
  candles: readonly Candle[],
  runs: readonly ProvenanceRun[],
  intervalSeconds: number,
): SeriesMarker<UTCTimestamp>[] {
  const markers: SeriesMarker<UTCTimestamp>[] = [];
  for (const run of runs) {
    const kind = kindOf(run);
    const candle = candles[run.start];
    if (candle === undefined || kind === "live") continue;
    markers.push({
      time: candle.time as UTCTimestamp,
      position: "aboveBar",
      shape: "arrowDown",
      // Not the bars' amber: a screenshot's amber pixels are the tinted bars alone.
      color: kind === "delayed" ? "#ffcc66" : BACKFILL_COLOR,
      text: kind === "delayed" ? `${run.source} · DELAYED` : "backfill",
    });
  }
  if (intervalSeconds < 86_400) {
    for (let i = 1; i < candles.length; i++) {
      const step = candles[i]!.time - candles[i - 1]!.time;
      // Over an interval but under 4 h: inside a session (nights and weekends are not gaps).
      if (step > intervalSeconds && step < 4 * 3600) {
        const missing = Math.round(step / intervalSeconds) - 1;
        markers.push({
          time: candles[i]!.time as UTCTimestamp,
          position: "belowBar",
          shape: "square",
          color: "#8b98a5",
          text: missing >= LABELLED_GAP_BARS ? `gap ${formatSpan(step - intervalSeconds)}` : "",
        });
      }
    }
  }
  return markers.sort((a, b) => (a.time as number) - (b.time as number));
}

/** "4m", "2h 15m": how long a gap lasted. */
function formatSpan(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)}h` : `${Math.floor(minutes / 60)}h ${rest}m`;
}
