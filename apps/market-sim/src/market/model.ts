/**
 * The market: a seeded random walk per symbol, trades and quotes in fixed time slots, minute bars
 * built from exactly the trades sent, partial daily bars, and late corrections/cancels that move a
 * past minute bar (announced later as an updated bar). Slots are aligned to the epoch, so the same
 * seed and the same elapsed time give the same events however the clock was advanced.
 */
import type { Bar, MarketEvent, StatusEvent, TradeEvent, QuoteEvent } from "./events";
import { round2, round6 } from "./events";
import type { BarHistory } from "./history";
import { deriveSeed, Prng } from "./prng";
import type { SymbolProfile } from "./symbols";
import { nyDayStart } from "./time";
import { addToToday, recordTrade, type SymbolState } from "./symbol-state";

const SIGMA_PER_SQRT_SECOND = 0.0012 / Math.sqrt(60);
/** Pull back toward the start price over about an hour, so long runs stay plausible. */
const REVERSION_PER_SECOND = 1 / 3600;
const QUOTES_PER_TRADE = 0.6;
const EXCHANGES = ["V", "Q", "P", "K", "Z", "D", "N", "X"] as const;

export interface MarketModelOptions {
  seed: number;
  profiles: readonly SymbolProfile[];
  tradesPerSecond: number;
  correctionsPerMinute: number;
  history: BarHistory;
  startMs: number;
}

export class MarketModel {
  private readonly prng: Prng;
  private readonly states: SymbolState[];
  private readonly bySymbol = new Map<string, SymbolState>();
  private tradesPerSecond: number;
  private tradeCarry = 0;
  private quoteCarry = 0;
  private correctionCarry = 0;
  private readonly halted = new Set<string>();
  private open = true;
  /** A close the clock has announced (its next_close) but that has not come yet. */
  private closeAt: number | null = null;
  private nextTradeId: number;
  private currentMinute: number;

  constructor(private readonly options: MarketModelOptions) {
    this.prng = new Prng(deriveSeed(options.seed, "market"));
    this.tradesPerSecond = options.tradesPerSecond;
    this.nextTradeId = 1000 + this.prng.int(50_000);
    this.currentMinute = Math.floor(options.startMs / 60_000) * 60_000;
    this.states = options.profiles.map((profile) => {
      const state: SymbolState = {
        profile,
        mid: profile.startPrice,
        shock: 1,
        minute: null,
        previous: null,
        today: null,
        todayPv: 0,
        prevDay: null,
        lastTrade: null,
        lastQuote: null,
        updatedMinutes: new Set(),
      };
      this.seedDaily(state);
      this.bySymbol.set(profile.symbol, state);
      return state;
    });
  }

  symbols(): string[] {
    return this.states.map((s) => s.profile.symbol);
  }

  profile(symbol: string): SymbolProfile | undefined {
    return this.bySymbol.get(symbol)?.profile;
  }

  setTradesPerSecond(rate: number): void {
    this.tradesPerSecond = Math.max(0, rate);
  }

  getTradesPerSecond(): number {
    return this.tradesPerSecond;
  }

  /** Multiplies every price of `symbol` (1 = no shock); used by the `spike` fault. */
  setShock(symbol: string, multiplier: number): void {
    const state = this.bySymbol.get(symbol);
    if (state) state.shock = multiplier;
  }

  /** A halted symbol neither trades nor quotes until resumed (the `halt` fault). */
  setHalted(symbol: string, halted: boolean): void {
    if (halted) this.halted.add(symbol);
    else this.halted.delete(symbol);
  }

  /** Outside the session nothing trades: prices stand still and the stream falls quiet. */
  setMarketOpen(open: boolean): void {
    this.open = open;
    this.closeAt = null;
  }

  /** The session ends at `at` (simulated time): it trades until then, and the clock says so. */
  scheduleClose(at: number): void {
    // On a whole second: the clock's next_close has no fraction, and a client that reads it must
    // not see the close before the last trade.
    if (this.open) this.closeAt = Math.ceil(at / 1000) * 1000;
  }

  announcedClose(): number | null {
    return this.closeAt;
  }

  isMarketOpen(): boolean {
    return this.open;
  }

  /** Everything that happens in [start, start + slotMs), appended to `out` in time order. */
  advanceSlot(start: number, slotMs: number, out: MarketEvent[]): void {
    if (this.closeAt !== null && start >= this.closeAt) this.setMarketOpen(false);
    const minute = Math.floor(start / 60_000) * 60_000;
    if (minute !== this.currentMinute) {
      this.closeMinute(out);
      this.currentMinute = minute;
    }
    if (start % 60_000 === 30_000) this.emitUpdatedBars(out);
    this.walk(slotMs / 1000);

    this.tradeCarry += (this.tradesPerSecond * slotMs) / 1000;
    this.quoteCarry += (this.tradesPerSecond * QUOTES_PER_TRADE * slotMs) / 1000;
    const trades = Math.floor(this.tradeCarry);
    const quotes = Math.floor(this.quoteCarry);
    this.tradeCarry -= trades;
    this.quoteCarry -= quotes;
    const total = this.open ? trades + quotes : 0;
    let tradesLeft = trades;
    const slotNs = slotMs * 1_000_000;
    for (let k = 0; k < total; k++) {
      const offsetNs = Math.floor(((k + this.prng.next()) / total) * slotNs);
      const ms = start + Math.floor(offsetNs / 1_000_000);
      const ns = offsetNs % 1_000_000;
      const state = this.states[this.prng.int(this.states.length)]!;
      const isTrade = this.prng.next() * (total - k) < tradesLeft;
      if (this.halted.has(state.profile.symbol)) {
        if (isTrade) tradesLeft--;
        continue;
      }
      if (isTrade) {
        tradesLeft--;
        out.push(this.trade(state, ms, ns));
      } else {
        out.push(this.quote(state, ms, ns));
      }
    }

    this.correctionCarry += (this.options.correctionsPerMinute * slotMs) / 60_000;
    while (this.correctionCarry >= 1) {
      this.correctionCarry -= 1;
      this.correctOrCancel(start + slotMs - 1, out);
    }
  }

  latestTrade(symbol: string): TradeEvent | null {
    return this.bySymbol.get(symbol)?.lastTrade ?? null;
  }

  latestQuote(symbol: string): QuoteEvent | null {
    return this.bySymbol.get(symbol)?.lastQuote ?? null;
  }

  /** The minute bar still being built (not yet sent), if any trade happened in it. */
  currentMinuteBar(symbol: string): Bar | null {
    const minute = this.bySymbol.get(symbol)?.minute;
    return minute ? { ...minute.bar, vw: round6(minute.pv / minute.bar.v) } : null;
  }

  /** Today's daily bar so far, from sent minute bars. */
  dailyBar(symbol: string): Bar | null {
    return this.bySymbol.get(symbol)?.today ?? null;
  }

  prevDailyBar(symbol: string): Bar | null {
    return this.bySymbol.get(symbol)?.prevDay ?? null;
  }

  /** Last price: the last trade, or the last bar's close before any trade happened. */
  lastPrice(symbol: string): { price: number; atMs: number } | null {
    const state = this.bySymbol.get(symbol);
    if (!state) return null;
    if (state.lastTrade) return { price: state.lastTrade.p, atMs: state.lastTrade.ms };
    const bar = this.options.history.lastMinute(symbol);
    return bar ? { price: bar.c, atMs: bar.t + 59_000 } : null;
  }

  status(symbol: string, halted: boolean, ms: number): StatusEvent | null {
    const state = this.bySymbol.get(symbol);
    if (!state) return null;
    const cta = state.profile.tape === "A";
    return {
      T: "s",
      S: symbol,
      sc: halted ? (cta ? "2" : "H") : cta ? "3" : "T",
      sm: halted ? "Trading Halt" : "Resume",
      rc: halted ? "LUDP" : "",
      rm: halted ? "Volatility Trading Pause" : "",
      ms,
      ns: 0,
      z: state.profile.tape,
    };
  }

  private walk(seconds: number): void {
    const sigma = SIGMA_PER_SQRT_SECOND * Math.sqrt(seconds);
    for (const state of this.states) {
      const pull = -REVERSION_PER_SECOND * seconds * Math.log(state.mid / state.profile.startPrice);
      state.mid = Math.max(0.5, state.mid * Math.exp(sigma * this.prng.normal() + pull));
    }
  }

  private bid(state: SymbolState): number {
    return round2(state.mid * state.shock - state.profile.spreadCents / 200);
  }

  private trade(state: SymbolState, ms: number, ns: number): TradeEvent {
    const roll = this.prng.next();
    const size =
      roll < 0.35
        ? 1 + this.prng.int(99)
        : roll < 0.99
          ? 100 * (1 + this.prng.int(5))
          : 1000 * (1 + this.prng.int(10));
    const price = Math.max(
      0.01,
      round2(this.bid(state) + this.prng.int(state.profile.spreadCents + 1) / 100),
    );
    const trade: TradeEvent = {
      T: "t",
      S: state.profile.symbol,
      i: this.nextTradeId++,
      x: EXCHANGES[this.prng.int(EXCHANGES.length)]!,
      p: price,
      s: size,
      c: size < 100 ? ["@", "I"] : ["@"],
      z: state.profile.tape,
      ms,
      ns,
    };
    recordTrade(state, trade, this.currentMinute);
    state.lastTrade = trade;
    return trade;
  }

  private quote(state: SymbolState, ms: number, ns: number): QuoteEvent {
    const bp = Math.max(0.01, this.bid(state));
    const quote: QuoteEvent = {
      T: "q",
      S: state.profile.symbol,
      bx: EXCHANGES[this.prng.int(EXCHANGES.length)]!,
      bp,
      bs: 1 + this.prng.int(12),
      ax: EXCHANGES[this.prng.int(EXCHANGES.length)]!,
      ap: round2(bp + state.profile.spreadCents / 100),
      as: 1 + this.prng.int(12),
      c: ["R"],
      z: state.profile.tape,
      ms,
      ns,
    };
    state.lastQuote = quote;
    return quote;
  }

  private closeMinute(out: MarketEvent[]): void {
    for (const state of this.states) {
      const m = state.minute;
      state.previous = m;
      state.minute = null;
      if (m) {
        m.bar.vw = round6(m.pv / m.bar.v);
        this.options.history.addMinute(state.profile.symbol, m.bar);
        out.push({ T: "b", S: state.profile.symbol, bar: { ...m.bar } });
        addToToday(state, m.bar, m.pv);
      }
      if (state.today) out.push({ T: "d", S: state.profile.symbol, bar: { ...state.today } });
    }
  }

  private emitUpdatedBars(out: MarketEvent[]): void {
    for (const state of this.states) {
      for (const t of state.updatedMinutes) {
        const bar = this.options.history.findMinute(state.profile.symbol, t);
        if (bar) out.push({ T: "u", S: state.profile.symbol, bar: { ...bar } });
      }
      state.updatedMinutes.clear();
    }
  }

  /**
   * Corrects or cancels a trade of the previous minute. Only trades strictly inside the bar's range
   * and neither first nor last are touched, so o/h/l/c stay true and the updated bar stays honest.
   */
  private correctOrCancel(ms: number, out: MarketEvent[]): void {
    const state = this.states[this.prng.int(this.states.length)]!;
    const prev = state.previous;
    if (!prev || !state.today || nyDayStart(prev.bar.t) !== state.today.t) return;
    const bar = prev.bar;
    const candidates = prev.recent.filter(
      (t) => t.i !== prev.firstId && t.i !== prev.lastId && t.p > bar.l && t.p < bar.h,
    );
    const original = candidates[this.prng.int(candidates.length)];
    if (!original) return;
    prev.recent = prev.recent.filter((t) => t !== original);
    const base = { S: original.S, x: original.x, z: original.z, ms, ns: this.prng.int(1_000_000) };
    let deltaPv: number;
    if (this.prng.next() < 0.3) {
      bar.v -= original.s;
      bar.n -= 1;
      deltaPv = -original.p * original.s;
      state.today.v -= original.s;
      state.today.n -= 1;
      out.push({ T: "x", ...base, i: original.i, p: original.p, s: original.s, a: "C" });
    } else {
      const cp = round2(original.p + (this.prng.next() < 0.5 ? -0.01 : 0.01));
      deltaPv = (cp - original.p) * original.s;
      const corrected = { oi: original.i, op: original.p, os: original.s, oc: original.c };
      out.push({ T: "c", ...base, ...corrected, ci: this.nextTradeId++, cp, cs: original.s, cc: original.c });
    }
    prev.pv += deltaPv;
    bar.vw = round6(prev.pv / bar.v);
    state.todayPv += deltaPv;
    state.today.vw = round6(state.todayPv / state.today.v);
    state.updatedMinutes.add(bar.t);
  }

  private seedDaily(state: SymbolState): void {
    const symbol = state.profile.symbol;
    const startDay = nyDayStart(this.options.startMs);
    const days = this.options.history.dailyBars(symbol, startDay - 8 * 86_400_000, this.options.startMs);
    const today = days.find((d) => d.t === startDay);
    const before = days.filter((d) => d.t < startDay);
    state.prevDay = before[before.length - 1] ?? null;
    if (today) {
      state.today = { ...today };
      state.todayPv = today.vw * today.v;
    }
  }
}
