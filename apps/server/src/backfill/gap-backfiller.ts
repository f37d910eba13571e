import type { Bar1m } from "@torghut/contracts";
import type { Logger } from "../logger";
import type { Clock, TimerHandle } from "../clock";
import type { PrimaryGap } from "../router/snapshot";
import { backfillBarsTotal, backfillRunsTotal } from "./metrics";
import type { BackfillReport, BarsFetcher, BarsSink } from "./ports";

const MINUTE = 60_000;
const floorMinute = (ms: number) => ms - (((ms % MINUTE) + MINUTE) % MINUTE);

export interface GapBackfillerOptions {
  /** Alpaca REST bars (paginated, rate-limited by the REST client). */
  primary: BarsFetcher;
  /** Yahoo 1m chart, used only when Alpaca REST fails; its bars are delayed. */
  fallback?: BarsFetcher;
  sink: BarsSink;
  symbols: () => readonly string[];
  clock: Clock;
  logger: Logger;
  /**
   * Upstream publishes a minute's bar only once the minute is over, so the minute in which the gap
   * closed is fetched again this long after it ends (0 disables the trailing pass).
   */
  trailingSettleMs?: number;
  reportsKept?: number;
}

/**
 * Closes the holes the router leaves: after a failback, and after a reconnect of the primary, the
 * window's 1-minute bars are fetched and upserted with source `backfill`, replacing bars that were
 * derived from Yahoo ticks (or from a partial minute of primary ticks). Runs one at a time.
 */
export class GapBackfiller {
  private chain: Promise<unknown> = Promise.resolve();
  private readonly reports: BackfillReport[] = [];
  private readonly trailing = new Set<TimerHandle>();
  private stopped = false;

  constructor(private readonly options: GapBackfillerOptions) {}

  /** Queue a gap (router `onGap` listener); resolves with the first pass's report. */
  handle(gap: PrimaryGap): Promise<BackfillReport> {
    const startMs = floorMinute(gap.startMs);
    const endMs = floorMinute(gap.endMs) + MINUTE;
    const run = this.enqueue(() => this.fill(gap.cause, startMs, endMs));
    const settle = this.options.trailingSettleMs ?? 5_000;
    if (settle > 0) this.scheduleTrailing(endMs - MINUTE, endMs, settle);
    return run;
  }

  /** Recent reports, newest first (for /api/health/datasource and the benchmark). */
  recentReports(): readonly BackfillReport[] {
    return [...this.reports].reverse();
  }

  /** Waits for queued runs; cancels trailing passes. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.trailing) this.options.clock.clearTimeout(t);
    this.trailing.clear();
    await this.chain.catch(() => undefined);
  }

  private enqueue(task: () => Promise<BackfillReport>): Promise<BackfillReport> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private scheduleTrailing(startMs: number, endMs: number, settleMs: number): void {
    const { clock } = this.options;
    const handle = clock.setTimeout(
      () => {
        this.trailing.delete(handle);
        if (!this.stopped) void this.enqueue(() => this.fill("trailing", startMs, endMs));
      },
      Math.max(0, endMs + settleMs - clock.now()),
    );
    this.trailing.add(handle);
  }

  private async fill(
    cause: BackfillReport["cause"],
    startMs: number,
    endMs: number,
  ): Promise<BackfillReport> {
    const { primary, fallback, sink, logger, clock } = this.options;
    const symbols = this.options.symbols();
    let via: BackfillReport["via"] = "alpaca-rest";
    let bars: Bar1m[] = [];
    let error: string | null = null;
    try {
      bars = await primary.fetchBars(symbols, startMs, endMs);
    } catch (err) {
      logger.warn(
        { err, startMs, endMs },
        "Backfill: Alpaca REST unavailable, trying Yahoo 1m chart (delayed)",
      );
      error = `Alpaca REST: ${(err as Error).message}`;
      via = "none";
      if (fallback) {
        try {
          bars = (await fallback.fetchBars(symbols, startMs, endMs)).map((b) => ({
            ...b,
            source: "backfill",
            delayed: true,
          }));
          via = "yahoo-chart";
        } catch (yahooErr) {
          error = `${error}; Yahoo: ${(yahooErr as Error).message}`;
        }
      }
    }
    const inWindow = bars
      .filter((b) => {
        const t = Date.parse(b.minute);
        return t >= startMs && t < endMs;
      })
      .map((b) => ({ ...b, source: "backfill" as const }));
    if (inWindow.length > 0) {
      try {
        await sink.upsertBars(inWindow);
      } catch (err) {
        error = `${error ? `${error}; ` : ""}store: ${(err as Error).message}`;
        logger.error({ err }, "Backfill: could not write bars");
        inWindow.length = 0;
      }
    }
    const minutes = new Set(inWindow.map((b) => Date.parse(b.minute))).size;
    const report: BackfillReport = {
      cause,
      startMs,
      endMs,
      via,
      minutesBackfilled: minutes,
      barsWritten: inWindow.length,
      symbols: new Set(inWindow.map((b) => b.symbol)).size,
      error,
      finishedAt: clock.now(),
    };
    backfillRunsTotal.inc({ via });
    backfillBarsTotal.inc({ via }, inWindow.length);
    this.reports.push(report);
    if (this.reports.length > (this.options.reportsKept ?? 50)) this.reports.shift();
    logger.info(
      {
        cause,
        via,
        start: new Date(startMs).toISOString(),
        end: new Date(endMs).toISOString(),
        bars: inWindow.length,
        error,
      },
      `Backfill (${cause}): ${minutes} minutes backfilled via ${via}`,
    );
    return report;
  }
}
