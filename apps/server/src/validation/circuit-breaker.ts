export interface CircuitBreakerOptions {
  /** A move beyond this many percent from the anchor trips the breaker (seed 004: ±20 %). */
  thresholdPercent: number;
  /** Consecutive out-of-band ticks that confirm a new level (the last one re-anchors and passes). */
  confirmTicks?: number;
  /** Those ticks must lie within this many percent of each other to count as one level. */
  confirmTolerancePercent?: number;
}

export type BreakerVerdict = { tripped: false } | { tripped: true; movePercent: number; message: string };

interface SymbolState {
  anchor: number;
  /** Out-of-band prices seen in a row, waiting to confirm a new level. */
  pending: number[];
}

const PASS: BreakerVerdict = { tripped: false };

/**
 * Per-symbol price circuit breaker against the last accepted price. A tripped tick is kept (flagged
 * suspicious by the caller) but does not move the anchor — unless `confirmTicks` ticks in a row agree
 * on the new level, so a real move (earnings, halt reopen) does not freeze the symbol forever.
 */
export class CircuitBreaker {
  private readonly symbols = new Map<string, SymbolState>();
  private readonly threshold: number;
  private readonly confirmTicks: number;
  private readonly tolerance: number;

  constructor(options: CircuitBreakerOptions) {
    this.threshold = options.thresholdPercent;
    this.confirmTicks = Math.max(1, options.confirmTicks ?? 3);
    this.tolerance = options.confirmTolerancePercent ?? 2;
  }

  /** Sets the reference price (e.g. from a REST snapshot) before live ticks arrive. */
  seed(symbol: string, price: number): void {
    if (price > 0) this.symbols.set(symbol, { anchor: price, pending: [] });
  }

  anchorOf(symbol: string): number | undefined {
    return this.symbols.get(symbol)?.anchor;
  }

  assess(symbol: string, price: number): BreakerVerdict {
    const state = this.symbols.get(symbol);
    if (state === undefined) {
      this.symbols.set(symbol, { anchor: price, pending: [] });
      return PASS;
    }
    const movePercent = (Math.abs(price - state.anchor) / state.anchor) * 100;
    if (movePercent <= this.threshold) {
      state.anchor = price;
      if (state.pending.length > 0) state.pending = [];
      return PASS;
    }
    if (state.pending.length > 0 && !this.sameLevel(state.pending, price)) state.pending = [];
    state.pending.push(price);
    if (state.pending.length >= this.confirmTicks) {
      state.anchor = price;
      state.pending = [];
      return PASS;
    }
    return { tripped: true, movePercent, message: breakerMessage(symbol, movePercent, this.threshold) };
  }

  private sameLevel(pending: readonly number[], price: number): boolean {
    let low = price;
    let high = price;
    for (const p of pending) {
      if (p < low) low = p;
      if (p > high) high = p;
    }
    return ((high - low) / low) * 100 <= this.tolerance;
  }
}

/** `Circuit breaker triggered: TSLA price movement 25% exceeds 20% threshold` (the runbook greps it). */
export function breakerMessage(symbol: string, movePercent: number, thresholdPercent: number): string {
  return `Circuit breaker triggered: ${symbol} price movement ${formatPercent(movePercent)}% exceeds ${formatPercent(thresholdPercent)}% threshold`;
}

function formatPercent(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
}
