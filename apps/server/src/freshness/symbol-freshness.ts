import type { SourceName, StaleReason, SymbolFreshness, Trade } from "@torghut/contracts";
import type { Clock } from "../clock";

export interface FreshnessSettings {
  /** A symbol is quiet when its silence exceeds this many of its own usual gaps (SYMBOL_STALE_FACTOR). */
  staleFactor: number;
  /** …and at least this long (SYMBOL_STALE_MIN_SECONDS in ms): no row flickers on a short lull. */
  minStaleMs: number;
}

interface SymbolState {
  lastEventAt: number | null;
  lastReceivedAt: number | null;
  source: SourceName | null;
  /** Exponentially weighted usual gap between trades (ms), for this source. */
  usualGapMs: number | null;
  /** Set by an upstream trading-status halt until the symbol trades or resumes. */
  halt: string | null;
}

/** Weight of the newest gap in the usual gap: recent enough to follow the day, steady enough to ignore a burst. */
const GAP_WEIGHT = 0.2;
/** The largest multiple of the usual gap one new gap counts as (a slower rhythm is learnt gradually). */
const MAX_GROWTH = 3;

/**
 * Per-symbol staleness. The router watches the feed as a whole; a single halted or illiquid symbol
 * looks like any other on a healthy feed. Each symbol learns its own usual gap between trades, and
 * is marked stale when it has been silent for far longer than that *while others trade* (if none
 * trade, the feed — not the symbol — is the problem, and the router says so). An upstream halt marks
 * it at once. Outside the session nothing is stale on its own: the market is closed.
 */
export class SymbolFreshnessTracker {
  private readonly states = new Map<string, SymbolState>();
  private readonly startedAt: number;

  constructor(
    private readonly symbols: () => readonly string[],
    private readonly clock: Clock,
    private readonly settings: FreshnessSettings,
    private readonly marketOpen: () => boolean,
    /** The source feeding the pipeline now (the router's choice); null when none does. */
    private readonly activeSource: () => SourceName | null = () => null,
  ) {
    this.startedAt = clock.now();
  }

  /** An accepted trade (any source): the symbol's last price and its rhythm. */
  trade(trade: Trade): void {
    const state = this.state(trade.symbol);
    const receivedAt = trade.receivedAt;
    if (state.source !== trade.source)
      state.usualGapMs = null; // another source, another rhythm
    else if (state.lastReceivedAt !== null) {
      const gap = Math.max(0, receivedAt - state.lastReceivedAt);
      // A halt or a lull is an outlier, not the rhythm: one long gap may raise the usual gap by at
      // most MAX_GROWTH per trade, or the next halt would go unnoticed for as long as this one lasted.
      const usual = state.usualGapMs;
      state.usualGapMs =
        usual === null
          ? gap
          : usual * (1 - GAP_WEIGHT) + Math.min(gap, Math.max(usual, 1) * MAX_GROWTH) * GAP_WEIGHT;
    }
    const eventAt = Date.parse(trade.eventTime);
    state.lastEventAt = Number.isNaN(eventAt) ? receivedAt : eventAt;
    state.lastReceivedAt = receivedAt;
    state.source = trade.source;
    state.halt = null;
  }

  /** Upstream trading status: a halt marks the symbol stale until it resumes or trades. */
  tradingStatus(symbol: string, halted: boolean, detail: string): void {
    this.state(symbol).halt = halted ? detail : null;
  }

  view(): SymbolFreshness[] {
    const now = this.clock.now();
    const open = this.marketOpen();
    const symbols = this.symbols();
    const othersTrading = new Set(symbols.filter((s) => this.fresh(this.states.get(s), now)));
    return symbols.map((symbol) => {
      const state = this.states.get(symbol);
      const verdict = open ? this.verdict(symbol, state, now, othersTrading) : null;
      return {
        symbol,
        lastTradeAt: iso(state?.lastEventAt ?? null),
        lastReceivedAt: iso(state?.lastReceivedAt ?? null),
        source: state?.source ?? null,
        stale: verdict !== null,
        staleReason: verdict?.reason ?? null,
        staleDetail: verdict?.detail ?? null,
      };
    });
  }

  private verdict(
    symbol: string,
    state: SymbolState | undefined,
    now: number,
    othersTrading: ReadonlySet<string>,
  ): { reason: StaleReason; detail: string } | null {
    if (state?.halt != null) return { reason: "halted", detail: state.halt };
    // After a switch, a price from the source that no longer feeds us is not current (once the floor passes).
    const active = this.activeSource();
    const since = state?.lastReceivedAt ?? this.startedAt;
    if (
      state?.source != null &&
      active !== null &&
      state.source !== active &&
      now - since > this.settings.minStaleMs
    ) {
      return {
        reason: "quiet",
        detail: `no ${active} price yet; the last came from ${state.source} ${seconds(now - since)} ago`,
      };
    }
    const others = othersTrading.size - (othersTrading.has(symbol) ? 1 : 0);
    if (others === 0 || this.fresh(state, now)) return null;
    const usual = state?.usualGapMs;
    const usualText = usual == null ? "" : ` (usual gap ${seconds(usual)})`;
    return {
      reason: "quiet",
      detail: `no trade for ${seconds(now - since)}${usualText} while ${others} other symbol(s) trade`,
    };
  }

  /** Heard from within its own allowance (or too early to say). */
  private fresh(state: SymbolState | undefined, now: number): boolean {
    const { staleFactor, minStaleMs } = this.settings;
    const allowance = Math.max(minStaleMs, staleFactor * (state?.usualGapMs ?? 0));
    const since = state?.lastReceivedAt ?? this.startedAt;
    return now - since <= allowance && state?.halt == null;
  }

  private state(symbol: string): SymbolState {
    let state = this.states.get(symbol);
    if (state === undefined) {
      state = { lastEventAt: null, lastReceivedAt: null, source: null, usualGapMs: null, halt: null };
      this.states.set(symbol, state);
    }
    return state;
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms / 1000)} s`;
}
