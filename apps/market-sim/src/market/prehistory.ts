/**
 * Synthetic history from before the simulator started, so that a fresh `npm start` has bars to
 * backfill and chart. Walks backwards from each symbol's start price; deterministic per seed.
 */
import type { Bar } from "./events";
import { round2, round6 } from "./events";
import { deriveSeed, Prng } from "./prng";
import type { SymbolProfile } from "./symbols";
import { nyDayStart } from "./time";

/** About 0.12 % per minute: lively enough to see on a chart. */
const MINUTE_SIGMA = 0.0012;
const DAY_SIGMA = 0.015;
/** Share of minutes with no trade at all, so charts see gaps (Yahoo nulls). */
const EMPTY_MINUTE_SHARE = 0.03;

export function minuteHistory(
  seed: number,
  profile: SymbolProfile,
  startMinute: number,
  minutes: number,
): Bar[] {
  const prng = new Prng(deriveSeed(seed, `history:${profile.symbol}`));
  const bars: Bar[] = [];
  let close = profile.startPrice;
  for (let k = 1; k <= minutes; k++) {
    const open = Math.max(0.5, close * Math.exp(-MINUTE_SIGMA * prng.normal()));
    if (prng.next() >= EMPTY_MINUTE_SHARE)
      bars.push(syntheticBar(prng, startMinute - k * 60_000, open, close, 40));
    close = open;
  }
  return bars.reverse();
}

/** Daily bars for the `days` New York days before the day containing `beforeMs`. */
export function dailyHistory(
  seed: number,
  profile: SymbolProfile,
  beforeMs: number,
  firstClose: number,
  days: number,
): Bar[] {
  const prng = new Prng(deriveSeed(seed, `daily:${profile.symbol}`));
  const bars: Bar[] = [];
  let close = firstClose;
  let day = nyDayStart(beforeMs);
  for (let k = 0; k < days; k++) {
    day = nyDayStart(day - 12 * 3_600_000);
    const open = Math.max(0.5, close * Math.exp(-DAY_SIGMA * prng.normal()));
    bars.push(syntheticBar(prng, day, open, close, 60_000));
    close = open;
  }
  return bars.reverse();
}

function syntheticBar(prng: Prng, t: number, open: number, close: number, tradesScale: number): Bar {
  const o = round2(open);
  const c = round2(close);
  const h = round2(Math.max(o, c) * (1 + Math.abs(prng.normal()) * 0.0004));
  const l = round2(Math.min(o, c) * (1 - Math.abs(prng.normal()) * 0.0004));
  const n = 1 + prng.int(tradesScale);
  const v = n * (20 + prng.int(180));
  const vw = round6(l + (h - l) * (0.3 + 0.4 * prng.next()));
  return { t, o, h, l, c, v, n, vw };
}
