import { nyDate } from "@torghut/contracts";
import type { LiveMinuteBar } from "@/lib/live/latest-records";

/**
 * A minute the live feed told the row about (a tick's `minuteBar`) that the stored day figures may
 * not hold yet: bars are stored after their minute closes, and the REST summary is polled.
 */
export interface LiveMinute {
  minuteMs: number;
  /** New York date of the minute: only minutes of the row's session add to its day. */
  session: string;
  volume: number;
  tradeCount: number;
}

/** More than the minutes between two REST answers, even with a slow writer. */
const KEEP = 16;

/**
 * The row's live minutes with `minutes` folded in: a minute's bar is cumulative, so the one with
 * more trades replaces the one held. Minutes the stored figures already cover (`throughMs`) go.
 * Returns `held` itself when nothing changes.
 */
export function withLiveMinutes(
  held: readonly LiveMinute[],
  minutes: readonly LiveMinuteBar[],
  throughMs: number | null,
): readonly LiveMinute[] {
  let next: LiveMinute[] | null = null;
  for (const bar of minutes) {
    const minuteMs = bar.minuteMs;
    if (throughMs !== null && minuteMs <= throughMs) continue;
    const list: LiveMinute[] = next ?? [...held];
    const at = list.findIndex((m) => m.minuteMs === minuteMs);
    if (at >= 0 && list[at]!.tradeCount >= bar.tradeCount) continue;
    const entry = at >= 0 ? list[at]! : null;
    const minute: LiveMinute = {
      minuteMs,
      session: entry?.session ?? nyDate(minuteMs),
      volume: bar.volume,
      tradeCount: bar.tradeCount,
    };
    if (at >= 0) list[at] = minute;
    else list.push(minute);
    next = list;
  }
  if (next === null) return held;
  next.sort((a, b) => a.minuteMs - b.minuteMs);
  return next.length > KEEP ? next.slice(-KEEP) : next;
}

/** The live minutes the stored figures do not cover yet. */
export function afterStored(held: readonly LiveMinute[], throughMs: number | null): readonly LiveMinute[] {
  return throughMs === null ? held : held.filter((m) => m.minuteMs > throughMs);
}

/**
 * The day's volume: the stored minutes' (through `throughMs`) and the live minutes of the same
 * session after them. Unknown (null) without the stored figures: a few live minutes are not a day.
 */
export function dayVolume(
  storedVolume: number | null,
  session: string | null,
  live: readonly LiveMinute[],
): number | null {
  if (storedVolume === null || session === null) return null;
  let volume = storedVolume;
  for (const m of live) if (m.session === session) volume += m.volume;
  return volume;
}
