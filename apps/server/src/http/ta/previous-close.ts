import { nyDate, type PreviousCloseOrigin } from "@torghut/contracts";
import type { Logger } from "../../logger";
import type { Clock } from "../../clock";

/** A daily close a source reports, with the New York date of the day it closed. */
export interface DailyClose {
  date: string;
  close: number;
}

/**
 * Where previous closes are asked for. Alpaca answers many symbols in one call (snapshots: the
 * daily bar and the one before); Yahoo one symbol per chart call (`chartPreviousClose` of a chart
 * starting at the session). Either may be absent (no keys, primary disabled).
 */
export interface PreviousCloseSources {
  alpaca?: (symbols: readonly string[]) => Promise<Map<string, DailyClose[]>>;
  yahoo?: (symbol: string, session: string) => Promise<number | null>;
}

export interface ResolvedClose {
  price: number;
  origin: PreviousCloseOrigin;
}

export interface PreviousCloseBookOptions {
  sources: PreviousCloseSources;
  clock: Clock;
  logger: Logger;
  /** How long an answer waits for the sources before it goes out with what is known (default 2 s). */
  answerWithinMs?: number;
  /** After a symbol's lookup failed everywhere, wait this long before asking again (default 60 s). */
  retryAfterMs?: number;
  /** Yahoo chart calls in flight at once (default 4). */
  yahooConcurrency?: number;
}

/**
 * The previous session's close per symbol and session, from the sources' own daily figures, cached
 * for the session (a close does not change). Change on the watchlist is measured against it whatever
 * source feeds the price now, Yahoo included. Lookups run in the background: an answer waits at most
 * `answerWithinMs`, and a lookup that fails everywhere is retried only after `retryAfterMs`.
 */
export class PreviousCloseBook {
  private readonly known = new Map<string, ResolvedClose>();
  private readonly failedAt = new Map<string, number>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly answerWithinMs: number;
  private readonly retryAfterMs: number;

  constructor(private readonly options: PreviousCloseBookOptions) {
    this.answerWithinMs = options.answerWithinMs ?? 2_000;
    this.retryAfterMs = options.retryAfterMs ?? 60_000;
  }

  /** Closes known now or within the answer deadline, keyed by symbol; `sessions` maps symbol → NY date. */
  async closes(sessions: ReadonlyMap<string, string>): Promise<Map<string, ResolvedClose>> {
    const now = this.options.clock.now();
    const wanted: [string, string][] = [];
    for (const [symbol, session] of sessions) {
      const key = `${symbol}|${session}`;
      if (this.known.has(key) || this.inFlight.has(key)) continue;
      if (now - (this.failedAt.get(key) ?? -Infinity) < this.retryAfterMs) continue;
      wanted.push([symbol, session]);
    }
    if (wanted.length > 0) {
      const lookup = this.lookUp(wanted).catch((error: unknown) => {
        this.options.logger.warn({ err: error }, "previous close lookup failed");
      });
      for (const [symbol, session] of wanted) this.inFlight.set(`${symbol}|${session}`, lookup);
      void lookup.finally(() => {
        for (const [symbol, session] of wanted) this.inFlight.delete(`${symbol}|${session}`);
      });
    }
    const pending = new Set<Promise<void>>();
    for (const [symbol, session] of sessions) {
      const lookup = this.inFlight.get(`${symbol}|${session}`);
      if (lookup) pending.add(lookup);
    }
    if (pending.size > 0) await deadline(this.options.clock, Promise.all([...pending]), this.answerWithinMs);
    const out = new Map<string, ResolvedClose>();
    for (const [symbol, session] of sessions) {
      const close = this.known.get(`${symbol}|${session}`);
      if (close) out.set(symbol, close);
    }
    return out;
  }

  private async lookUp(wanted: readonly [string, string][]): Promise<void> {
    const { alpaca, yahoo } = this.options.sources;
    let missing = [...wanted];
    if (alpaca) {
      try {
        const daily = await alpaca(missing.map(([symbol]) => symbol));
        missing = missing.filter(([symbol, session]) => {
          const before = (daily.get(symbol) ?? []).filter((d) => d.date < session);
          const latest = before.sort((a, b) => (a.date < b.date ? 1 : -1))[0];
          if (latest === undefined) return true;
          this.known.set(`${symbol}|${session}`, { price: latest.close, origin: "alpaca" });
          return false;
        });
      } catch (error) {
        this.options.logger.info({ err: error }, "previous closes from Alpaca failed; asking Yahoo");
      }
    }
    if (yahoo && missing.length > 0) {
      const queue = [...missing];
      missing = [];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          const [symbol, session] = next;
          const close = await yahoo(symbol, session).catch(() => null);
          if (close === null) missing.push(next);
          else this.known.set(`${symbol}|${session}`, { price: close, origin: "yahoo" });
        }
      };
      await Promise.all(Array.from({ length: this.options.yahooConcurrency ?? 4 }, worker));
    }
    const now = this.options.clock.now();
    for (const [symbol, session] of missing) this.failedAt.set(`${symbol}|${session}`, now);
  }
}

/** The NY date a symbol without stored bars is judged against: today in New York. */
export const todayInNewYork = (nowMs: number): string => nyDate(nowMs);

function deadline(clock: Clock, work: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    void work.finally(() => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}
