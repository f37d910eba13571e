import type { ChannelSet } from "./messages";

export interface ChannelChoice {
  trades: boolean;
  quotes: boolean;
  bars: boolean;
}

/**
 * The set we WANT, kept locally and resent in full after every `authenticated` (the server forgets
 * everything with the session, and its replies may omit keys, so they never become our state).
 */
export class DesiredSubscriptions {
  private symbols: string[];
  private lookup: Set<string>;

  constructor(
    symbols: readonly string[],
    private readonly channels: ChannelChoice,
  ) {
    this.symbols = normalise(symbols);
    this.lookup = new Set(this.symbols);
  }

  get all(): readonly string[] {
    return this.symbols;
  }

  /** Hot path: is `symbol` one we asked for (frames for anything else are refused)? */
  has(symbol: string): boolean {
    return this.lookup.has(symbol);
  }

  /** The whole desired set as one subscribe request. */
  full(): ChannelSet {
    return this.forSymbols(this.symbols);
  }

  /** Replaces the set; returns what to subscribe and unsubscribe on a live session. */
  replace(next: readonly string[]): { added: ChannelSet | null; removed: ChannelSet | null } {
    const wanted = normalise(next);
    const before = new Set(this.symbols);
    const after = new Set(wanted);
    const added = wanted.filter((s) => !before.has(s));
    const removed = this.symbols.filter((s) => !after.has(s));
    this.symbols = wanted;
    this.lookup = after;
    return {
      added: added.length > 0 ? this.forSymbols(added) : null,
      removed: removed.length > 0 ? this.forSymbols(removed) : null,
    };
  }

  /** Desired symbols the server does not hold (after a 405, or a reply that left some out). */
  refused(held: readonly string[]): string[] {
    const have = new Set(held);
    return this.symbols.filter((s) => !have.has(s));
  }

  /** The channels for some of the desired symbols. */
  subset(symbols: readonly string[]): ChannelSet {
    return this.forSymbols(symbols);
  }

  private forSymbols(symbols: readonly string[]): ChannelSet {
    return {
      trades: this.channels.trades ? symbols : [],
      quotes: this.channels.quotes ? symbols : [],
      bars: this.channels.bars ? symbols : [],
    };
  }
}

function normalise(symbols: readonly string[]): string[] {
  return [...new Set(symbols.map((s) => s.trim().toUpperCase()).filter((s) => s !== ""))].sort();
}
