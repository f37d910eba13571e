import type { Logger } from "../logger";
import type { Clock, TimerHandle } from "../clock";
import type { MarketDataSource } from "../sources/source";
import { crossSourceChecksTotal } from "./metrics";
import type { CrossSourceView } from "./snapshot";

export interface FallbackPriceSampler {
  latestPrice(symbol: string): Promise<{ price: number; time: number }>;
}

export interface CrossSourceCheckOptions {
  /** Tapped for its last trade price per symbol (read only; the router still decides what is fed). */
  primary: MarketDataSource;
  sampler: FallbackPriceSampler;
  /** Sample only while the primary feeds the pipeline (the fallback's budget is its own otherwise). */
  isPrimaryActive: () => boolean;
  symbols: () => readonly string[];
  clock: Clock;
  logger: Logger;
  /** One round every this long (default 60 s, like the poll interval). */
  intervalMs?: number;
  /** Symbols per round: the Yahoo rate budget spent on checking (default 3). */
  symbolsPerRound?: number;
  /** RUNBOOK-004's cross-source rule (CROSS_SOURCE_MAX_DELTA_PERCENT, default 5). */
  thresholdPercent?: number;
  /** A primary price older than this is not compared (default 5 min). */
  maxPrimaryAgeMs?: number;
}

type Delta = CrossSourceView["recentDeltas"][number];

/**
 * While the primary is active, compares Yahoo's price with the primary's for a rotating subset of
 * symbols. A delta over the threshold is counted, logged and shown; it never switches source: a
 * disagreement says one of two feeds is wrong, not which one.
 */
export class CrossSourceCheck {
  private readonly lastPrimary = new Map<string, { price: number; at: number }>();
  private cursor = 0;
  private checks = 0;
  private flagged = 0;
  private readonly recent: Delta[] = [];
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => void) | null = null;
  private running = false;

  constructor(private readonly options: CrossSourceCheckOptions) {}

  start(): void {
    if (this.timer) return;
    this.unsubscribe = this.options.primary.onEvent((event) => {
      if (event.type === "trade" && !event.trade.suspicious) {
        this.lastPrimary.set(event.trade.symbol, { price: event.trade.price, at: this.options.clock.now() });
      }
    });
    this.timer = this.options.clock.setInterval(
      () => void this.runRound(),
      this.options.intervalMs ?? 60_000,
    );
  }

  stop(): void {
    if (this.timer) this.options.clock.clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  view(): CrossSourceView {
    return {
      checks: this.checks,
      deltasOverThreshold: this.flagged,
      thresholdPercent: this.threshold(),
      recentDeltas: [...this.recent].reverse(),
    };
  }

  /** One sampling round (the interval calls this; tests may too). Resolves with the symbols compared. */
  async runRound(): Promise<string[]> {
    if (this.running || !this.options.isPrimaryActive()) return [];
    this.running = true;
    try {
      const { sampler, clock, logger } = this.options;
      const maxAge = this.options.maxPrimaryAgeMs ?? 300_000;
      const picked = this.pickSymbols();
      const compared: string[] = [];
      for (const symbol of picked) {
        const primary = this.lastPrimary.get(symbol);
        if (!primary || clock.now() - primary.at > maxAge) {
          crossSourceChecksTotal.inc({ outcome: "skipped" });
          continue;
        }
        let fallbackPrice: number;
        try {
          fallbackPrice = (await sampler.latestPrice(symbol)).price;
        } catch (err) {
          crossSourceChecksTotal.inc({ outcome: "error" });
          logger.debug({ err, symbol }, "Cross-source check: Yahoo sample failed");
          continue;
        }
        if (!this.options.isPrimaryActive()) break;
        const reference = this.lastPrimary.get(symbol)?.price ?? primary.price;
        const deltaPercent = (Math.abs(fallbackPrice - reference) / reference) * 100;
        this.checks += 1;
        compared.push(symbol);
        if (deltaPercent > this.threshold()) {
          this.flagged += 1;
          crossSourceChecksTotal.inc({ outcome: "delta" });
          const delta: Delta = {
            symbol,
            primaryPrice: reference,
            fallbackPrice,
            deltaPercent: Math.round(deltaPercent * 100) / 100,
            at: new Date(clock.now()).toISOString(),
          };
          this.recent.push(delta);
          if (this.recent.length > 20) this.recent.shift();
          logger.warn(
            delta,
            `Cross-source delta ${delta.deltaPercent}% on ${symbol} exceeds ${this.threshold()}% (Alpaca vs Yahoo)`,
          );
        } else {
          crossSourceChecksTotal.inc({ outcome: "ok" });
        }
      }
      return compared;
    } finally {
      this.running = false;
    }
  }

  private pickSymbols(): string[] {
    const symbols = this.options.symbols();
    const n = Math.min(this.options.symbolsPerRound ?? 3, symbols.length);
    const picked: string[] = [];
    for (let i = 0; i < n; i++) picked.push(symbols[(this.cursor + i) % symbols.length]!);
    this.cursor = symbols.length === 0 ? 0 : (this.cursor + n) % symbols.length;
    return picked;
  }

  private threshold(): number {
    return this.options.thresholdPercent ?? 5;
  }
}
