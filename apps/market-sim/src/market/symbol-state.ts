/** Per-symbol state of the simulated market: the open and previous minute, today's and the prior day's bar. */
import type { Bar, QuoteEvent, TradeEvent } from "./events";
import { round6 } from "./events";
import type { SymbolProfile } from "./symbols";
import { nyDayStart } from "./time";

/** How many of a minute's last trades stay candidates for a later correction or cancel. */
const RESERVOIR = 8;

export interface MinuteState {
  bar: Bar;
  pv: number;
  firstId: number;
  lastId: number;
  /** The last few trades of the minute: candidates for a later correction or cancel. */
  recent: TradeEvent[];
}

export interface SymbolState {
  profile: SymbolProfile;
  mid: number;
  shock: number;
  minute: MinuteState | null;
  previous: MinuteState | null;
  today: Bar | null;
  todayPv: number;
  prevDay: Bar | null;
  lastTrade: TradeEvent | null;
  lastQuote: QuoteEvent | null;
  updatedMinutes: Set<number>;
}

/** Adds a sent trade to the symbol's open minute (opening it at `minute` if none is open). */
export function recordTrade(state: SymbolState, trade: TradeEvent, minute: number): void {
  const m = state.minute;
  if (!m) {
    state.minute = {
      bar: {
        t: minute,
        o: trade.p,
        h: trade.p,
        l: trade.p,
        c: trade.p,
        v: trade.s,
        n: 1,
        vw: trade.p,
      },
      pv: trade.p * trade.s,
      firstId: trade.i,
      lastId: trade.i,
      recent: [trade],
    };
    return;
  }
  const bar = m.bar;
  if (trade.p > bar.h) bar.h = trade.p;
  if (trade.p < bar.l) bar.l = trade.p;
  bar.c = trade.p;
  bar.v += trade.s;
  bar.n += 1;
  m.pv += trade.p * trade.s;
  m.lastId = trade.i;
  m.recent.push(trade);
  if (m.recent.length > RESERVOIR) m.recent.shift();
}

/** Folds a closed minute bar into today's daily bar, rolling to a new day at New York midnight. */
export function addToToday(state: SymbolState, bar: Bar, pv: number): void {
  const day = nyDayStart(bar.t);
  if (!state.today || state.today.t !== day) {
    if (state.today) state.prevDay = state.today;
    state.today = { ...bar, t: day };
    state.todayPv = pv;
    return;
  }
  const today = state.today;
  today.h = Math.max(today.h, bar.h);
  today.l = Math.min(today.l, bar.l);
  today.c = bar.c;
  today.v += bar.v;
  today.n += bar.n;
  state.todayPv += pv;
  today.vw = round6(state.todayPv / today.v);
}
