import type { Bar1m } from "@torghut/contracts";
import { YahooSymbolNotFoundError } from "../sources/yahoo/errors";
import type { BarsFetcher } from "./ports";

export interface MinuteBarReader {
  minuteBars(symbol: string, startMs: number, endMs: number): Promise<Bar1m[]>;
}

/**
 * The last resort when Alpaca REST is down: Yahoo's 1m chart, one symbol per request with at most
 * `concurrency` in flight (Yahoo rate-limits hard). Bars come back delayed, source `backfill`.
 */
export class YahooBarsFetcher implements BarsFetcher {
  constructor(
    private readonly reader: MinuteBarReader,
    private readonly concurrency = 4,
  ) {}

  async fetchBars(symbols: readonly string[], startMs: number, endMs: number): Promise<Bar1m[]> {
    const out: Bar1m[] = [];
    let next = 0;
    const failures: Error[] = [];
    const worker = async () => {
      while (next < symbols.length && failures.length === 0) {
        const symbol = symbols[next++]!;
        try {
          out.push(...(await this.reader.minuteBars(symbol, startMs, endMs)));
        } catch (err) {
          if (!(err instanceof YahooSymbolNotFoundError))
            failures.push(err instanceof Error ? err : new Error(String(err)));
        }
      }
    };
    await Promise.all(
      Array.from({ length: Math.max(1, Math.min(this.concurrency, symbols.length)) }, worker),
    );
    if (failures[0]) throw failures[0];
    return out;
  }
}
