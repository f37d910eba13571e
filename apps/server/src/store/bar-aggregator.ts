import { minuteStart, type Bar1m, type MinuteSoFar, type Trade } from "@torghut/contracts";
import { minutePosition } from "./event-time";
import type { Database } from "@torghut/db";
import { pino } from "pino";
import type { Logger } from "../logger";
import { systemClock, type Clock, type TimerHandle } from "../clock";
import { toStoreWriteError } from "./errors";
import { barLateTicks, barsWritten, barUpsertFailures } from "./metrics";
import { MinuteBar } from "./minute-bar";
import { upsertBars } from "./bars/minute-bars";

export type BarEventKind = "closed" | "updated";
export type BarListener = (bar: Bar1m, kind: BarEventKind) => void;

export interface BarAggregatorOptions {
  /** Receives each bar when it closes, and again when a late trade changes a closed bar. */
  onBar: BarListener | null;
  /** How often the wall-clock timer closes due bars and writes pending ones (default 1 s). */
  tickMs: number;
  /** A minute closes this long after it ends, so trades still in flight land in it (default 2 s). */
  graceMs: number;
  /** Closed minutes kept in memory to merge late trades into (default 5). */
  lateWindowMinutes: number;
  /** Bars waiting for the database (it is down) beyond this are dropped, oldest first. */
  maxPendingBars: number;
  logger: Logger;
}

const DEFAULTS: Omit<BarAggregatorOptions, "logger"> = {
  onBar: null,
  tickMs: 1000,
  graceMs: 2000,
  lateWindowMinutes: 5,
  maxPendingBars: 100_000,
};

interface SymbolBars {
  open: MinuteBar | null;
  /** Recently closed minutes by start time: where late trades are merged. */
  recent: Map<number, MinuteBar>;
  lastClosedMinute: number;
}

/**
 * Builds 1-minute bars from accepted trades in memory and upserts each bar once it closes.
 *
 * Closing is driven by the injected wall clock (a quiet symbol's bar still closes) and by the first
 * trade of a later minute. Suspicious trades are stored as ticks but never enter a bar.
 *
 * Late trades (their minute already closed) are merged, not lost: the last `lateWindowMinutes`
 * closed bars stay in memory, the trade is folded into the right one, and the whole bar is written
 * again (the upsert replaces the row, which is exact because memory holds the complete aggregate)
 * and announced as "updated". Re-writes are coalesced to one per bar per timer tick, so a burst of
 * delayed trades costs one upsert. A trade older than the window is counted and left to the ticks
 * table, from which such a minute can be rebuilt (`rebuildBarsFromTicks`).
 */
export class BarAggregator {
  private readonly options: BarAggregatorOptions;
  private readonly bySymbol = new Map<string, SymbolBars>();
  /** Bars to write on the next timer tick, keyed "symbol minute" so repeated updates coalesce. */
  private readonly pending = new Map<string, Bar1m>();
  /** Closed bars changed by late trades since the last tick: announced and written once per tick. */
  private readonly lateUpdated = new Map<string, MinuteBar>();
  private readonly timer: TimerHandle;
  private writing: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly database: Database,
    options: Partial<BarAggregatorOptions> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.options = { ...DEFAULTS, logger: pino({ level: "silent" }), ...options };
    this.timer = clock.setInterval(() => this.onTimer(), this.options.tickMs);
  }

  /**
   * Folds an accepted trade into its minute's bar and answers that bar as it now stands (null for
   * a suspicious trade, after close, or a trade older than the minutes kept).
   */
  onTrade(trade: Trade): MinuteSoFar | null {
    if (trade.suspicious || this.stopped) return null;
    const position = minutePosition(trade.eventTime);
    if (position === null) return null;
    const { minute, nanosInMinute: eventNs } = position;
    let bars = this.bySymbol.get(trade.symbol);
    if (!bars) {
      bars = { open: null, recent: new Map(), lastClosedMinute: -Infinity };
      this.bySymbol.set(trade.symbol, bars);
    }
    if (bars.open?.minute === minute) {
      bars.open.add(trade, eventNs);
      return bars.open.soFar();
    }
    if (minute > bars.lastClosedMinute && (bars.open === null || minute > bars.open.minute)) {
      if (bars.open) this.closeBar(bars, bars.open);
      bars.open = new MinuteBar(trade.symbol, minute, trade, eventNs);
      return bars.open.soFar();
    }
    return this.onLateTrade(bars, trade, eventNs, minute)?.soFar() ?? null;
  }

  /** The bar being built for a symbol right now, for snapshots. */
  currentBar(symbol: string): Bar1m | null {
    return this.bySymbol.get(symbol)?.open?.toBar() ?? null;
  }

  /** Waits for bars handed to the database so far (tests, shutdown). */
  async flush(): Promise<void> {
    this.announceLateUpdates();
    while (this.writing) await this.writing;
    if (this.pending.size > 0) await this.startWrite();
  }

  /** Stops the timer, closes the bars still open (partial minutes) and writes everything. */
  async close(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearInterval(this.timer);
    for (const bars of this.bySymbol.values()) if (bars.open) this.closeBar(bars, bars.open);
    await this.flush();
  }

  private onLateTrade(bars: SymbolBars, trade: Trade, eventNs: number, minute: number): MinuteBar | null {
    let bar = bars.recent.get(minute);
    if (!bar && minute >= this.oldestKeptMinute()) {
      // A minute nobody closed yet that is older than the open one (out-of-order arrival).
      bar = new MinuteBar(trade.symbol, minute, trade, eventNs);
      bars.recent.set(minute, bar);
    } else if (bar) {
      bar.add(trade, eventNs);
    } else {
      barLateTicks.inc({ outcome: "too_old" });
      return null;
    }
    barLateTicks.inc({ outcome: "merged" });
    this.lateUpdated.set(`${trade.symbol} ${minute}`, bar);
    return bar;
  }

  private announceLateUpdates(): void {
    for (const bar of this.lateUpdated.values()) {
      const updated = bar.toBar();
      this.queueWrite(updated);
      barsWritten.inc({ kind: "updated" });
      this.emit(updated, "updated");
    }
    this.lateUpdated.clear();
  }

  private closeBar(bars: SymbolBars, bar: MinuteBar): void {
    bars.open = null;
    bars.recent.set(bar.minute, bar);
    if (bar.minute > bars.lastClosedMinute) bars.lastClosedMinute = bar.minute;
    const closed = bar.toBar();
    this.queueWrite(closed);
    barsWritten.inc({ kind: "closed" });
    this.emit(closed, "closed");
  }

  private queueWrite(bar: Bar1m): void {
    const key = `${bar.symbol} ${bar.minute}`;
    this.pending.delete(key); // re-insert so the map stays in age order for dropping
    this.pending.set(key, bar);
    if (this.pending.size > this.options.maxPendingBars) {
      const oldest = this.pending.keys().next().value!;
      this.pending.delete(oldest);
      barUpsertFailures.inc();
      this.options.logger.error({ bar: oldest }, "too many bars waiting for the database: oldest dropped");
    }
  }

  private oldestKeptMinute(): number {
    return minuteStart(this.clock.now()) - this.options.lateWindowMinutes * 60_000;
  }

  private onTimer(): void {
    const now = this.clock.now();
    const keepFrom = this.oldestKeptMinute();
    this.announceLateUpdates();
    for (const bars of this.bySymbol.values()) {
      if (bars.open && bars.open.minute + 60_000 + this.options.graceMs <= now)
        this.closeBar(bars, bars.open);
      for (const minute of bars.recent.keys()) if (minute < keepFrom) bars.recent.delete(minute);
    }
    if (this.pending.size > 0 && this.writing === null) void this.startWrite();
  }

  private startWrite(): Promise<void> {
    this.writing = this.writePending().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  private async writePending(): Promise<void> {
    const batch = [...this.pending.entries()];
    for (const [key] of batch) this.pending.delete(key);
    try {
      await upsertBars(
        this.database,
        batch.map(([, bar]) => bar),
      );
    } catch (error) {
      barUpsertFailures.inc();
      this.options.logger.warn(
        { err: toStoreWriteError(error, "bar upsert failed"), bars: batch.length },
        "retrying bars on the next tick",
      );
      // Newer versions of the same bar queued meanwhile win over the failed ones.
      for (const [key, bar] of batch) if (!this.pending.has(key)) this.pending.set(key, bar);
      return;
    }
  }

  private emit(bar: Bar1m, kind: BarEventKind): void {
    if (!this.options.onBar) return;
    try {
      this.options.onBar(bar, kind);
    } catch (error) {
      this.options.logger.error({ err: error }, "bar listener threw");
    }
  }
}
