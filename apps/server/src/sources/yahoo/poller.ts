import type { Trade } from "@torghut/contracts";
import type { Logger } from "../../logger";
import type { Clock, TimerHandle } from "../../clock";
import type { FallbackSource, SourceEvent, SourceHealth, SourceListener } from "../source";
import { SourceListeners } from "../source-listeners";
import type { PriceReader, YahooPrice } from "./client";

export type { PriceReader };
import {
  classifyYahooError,
  YahooRateLimitedError,
  YahooSymbolNotFoundError,
  type YahooError,
} from "./errors";
import {
  yahooBackoffSeconds,
  yahooFallbackHealthy,
  yahooPollCyclesAbandoned,
  yahooPollDurationSeconds,
  yahooRequestsTotal,
} from "./metrics";
import { StandbyProbe } from "./standby-probe";

export interface YahooSourceOptions {
  client: PriceReader;
  clock: Clock;
  logger: Logger;
  symbols: readonly string[];
  /** YAHOO_POLL_INTERVAL_SECONDS in ms. */
  pollIntervalMs: number;
  /** Requests in flight at most (Yahoo rate-limits hard). */
  maxConcurrentRequests?: number;
  /** First back-off after a 429 (default: the poll interval); doubles per rate-limited cycle. */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Poll from `start()` on (default). The router starts it dormant and activates it on failover. */
  startActive?: boolean;
  /** While dormant, probe one symbol this often (YAHOO_STANDBY_PROBE_SECONDS; 0 = never). */
  standbyProbeIntervalMs?: number;
  /**
   * A cycle still running after this long is abandoned, counted and restarted (its late answers are
   * dropped). Default: one request deadline per round of concurrent requests, plus one.
   */
  cycleDeadlineMs?: number;
  /** The per-request deadline the client enforces (for the default cycle deadline). */
  requestTimeoutMs?: number;
}

/**
 * Yahoo behind the MarketDataSource port: polls `chart()` for every symbol, immediately when
 * activated and then every interval; one `failure` per cycle in which nothing succeeded; 429s stop
 * the cycle and push the next one out with a growing delay.
 */
export class YahooSource implements FallbackSource {
  readonly name = "yahoo" as const;
  private symbols: readonly string[];
  private readonly listeners: SourceListeners;
  private active = false;
  private stopped = false;
  private cycleRunning = false;
  private pollRequested = false;
  private timer: TimerHandle | null = null;
  private backoffLevel = 0;
  private backoffUntil = 0;
  private justActivated = false;
  private readonly lastEmitted = new Map<string, string>();
  private retries = 0;
  private healthy = false;
  private lastError: string | null = null;
  private consecutiveFailures = 0;
  private lastMessageAt: number | null = null;
  private lastSuccessAt: number | null = null;
  private messagesReceived = 0;
  private lastAttemptAt: number | null = null;
  /** Bumped when a cycle is abandoned: answers that belong to an older cycle are dropped. */
  private cycle = 0;
  private cycleWatchdog: TimerHandle | null = null;
  private readonly probe: StandbyProbe;

  constructor(private readonly options: YahooSourceOptions) {
    this.listeners = new SourceListeners(options.logger, "yahoo");
    this.symbols = [...options.symbols];
    this.probe = new StandbyProbe({
      client: options.client,
      clock: options.clock,
      intervalMs: options.standbyProbeIntervalMs ?? 0,
      symbols: () => this.symbols,
      result: (outcome) => this.onProbe(outcome),
    });
  }

  start(): Promise<void> {
    this.stopped = false;
    if (this.options.startActive ?? true) this.activate();
    else this.probe.start();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.healthy = false;
    this.deactivate();
    this.probe.stop();
    if (this.cycleWatchdog) this.options.clock.clearTimeout(this.cycleWatchdog);
    this.cycleWatchdog = null;
    return Promise.resolve();
  }

  activate(): void {
    if (this.stopped || this.active) return;
    this.probe.stop();
    this.active = true;
    this.justActivated = true;
    this.pollNow();
  }

  deactivate(): void {
    this.active = false;
    this.clearTimer();
    if (!this.stopped) this.probe.start();
  }

  /** Poll now unless a cycle is running (then right after it) or a 429 back-off is in force. */
  pollNow(): void {
    if (!this.active) return;
    if (this.cycleRunning) {
      this.pollRequested = true;
      return;
    }
    this.clearTimer();
    const wait = this.backoffUntil - this.options.clock.now();
    if (wait > 0) this.timer = this.options.clock.setTimeout(() => this.runCycle(), wait);
    else this.runCycle();
  }

  reconnect(): void {
    this.pollNow();
  }

  setSymbols(symbols: readonly string[]): void {
    this.symbols = [...symbols];
  }

  onEvent(listener: SourceListener): () => void {
    return this.listeners.add(listener);
  }

  health(): SourceHealth {
    return {
      healthy: this.healthy,
      connected: this.healthy,
      authenticated: this.healthy,
      lastError: this.lastError,
      consecutiveFailures: this.consecutiveFailures,
      subscribedSymbols: this.symbols,
      lastMessageAt: this.lastMessageAt,
      lastSuccessAt: this.lastSuccessAt,
      messagesReceived: this.messagesReceived,
      /** Polls retried after a failed one (lifetime), like a stream's reconnects. */
      reconnectAttempts: this.retries,
      configurationError: false,
      lastAttemptAt: this.lastAttemptAt,
    };
  }

  /** The 429 back-off in force: level (0 = none) and when polling may resume. */
  backoff(): { level: number; until: number | null } {
    return { level: this.backoffLevel, until: this.backoffLevel > 0 ? this.backoffUntil : null };
  }

  private runCycle(): void {
    this.timer = null;
    if (!this.active || this.cycleRunning) return;
    this.cycleRunning = true;
    this.pollRequested = false;
    if (this.consecutiveFailures > 0) this.retries += 1;
    const cycle = ++this.cycle;
    this.cycleWatchdog = this.options.clock.setTimeout(
      () => this.abandonCycle(cycle),
      this.cycleDeadlineMs(),
    );
    void this.pollAll(cycle).finally(() => {
      if (cycle !== this.cycle) return; // abandoned: the watchdog already moved on
      this.endCycle();
    });
  }

  private endCycle(): void {
    if (this.cycleWatchdog) this.options.clock.clearTimeout(this.cycleWatchdog);
    this.cycleWatchdog = null;
    this.cycleRunning = false;
    if (!this.active) return;
    if (this.pollRequested) this.pollNow();
    else this.scheduleNext();
  }

  /** The loop's watchdog: a cycle that hangs past its deadline must not end polling for good. */
  private abandonCycle(cycle: number): void {
    if (cycle !== this.cycle || !this.cycleRunning) return;
    this.cycle += 1;
    yahooPollCyclesAbandoned.inc();
    const seconds = Math.round(this.cycleDeadlineMs() / 100) / 10;
    this.recordFailure(`poll cycle did not finish within ${seconds}s; abandoned and restarted`);
    this.endCycle();
  }

  private cycleDeadlineMs(): number {
    if (this.options.cycleDeadlineMs !== undefined) return this.options.cycleDeadlineMs;
    const concurrency = Math.max(1, this.options.maxConcurrentRequests ?? 4);
    const rounds = Math.ceil(Math.max(1, this.symbols.length) / concurrency);
    return (rounds + 1) * (this.options.requestTimeoutMs ?? 10_000);
  }

  private onProbe(outcome: { ok: true } | { ok: false; error: YahooError }): void {
    if (this.active) return;
    const now = this.options.clock.now();
    this.lastAttemptAt = now;
    if (outcome.ok) {
      this.lastSuccessAt = now;
      this.consecutiveFailures = 0;
      if (!this.healthy) {
        this.healthy = true;
        this.lastError = null;
        yahooFallbackHealthy.set(1);
        this.emit({ type: "up" });
      }
      return;
    }
    this.recordFailure(`standby probe: ${outcome.error.message}`);
  }

  /** One failed cycle or probe: unhealthy, counted, reported (the router learns the fallback is down). */
  private recordFailure(reason: string): void {
    this.consecutiveFailures += 1;
    this.healthy = false;
    this.lastError = reason;
    yahooFallbackHealthy.set(0);
    this.options.logger.warn(
      { consecutiveFailures: this.consecutiveFailures, lastError: reason },
      "Yahoo failed",
    );
    this.emit({ type: "failure", reason, retryable: true });
  }

  private async pollAll(cycle: number): Promise<void> {
    const { clock, client, logger } = this.options;
    const started = clock.now();
    const symbols = [...this.symbols];
    const emitAll = this.justActivated;
    this.justActivated = false;
    let next = 0;
    let successes = 0;
    let failures = 0;
    let rateLimited: YahooRateLimitedError | null = null;
    let lastFailure: YahooError | null = null;
    const worker = async () => {
      while (next < symbols.length && rateLimited === null && this.active && cycle === this.cycle) {
        const symbol = symbols[next++]!;
        try {
          const price = await client.latestPrice(symbol);
          if (cycle !== this.cycle) return;
          yahooRequestsTotal.inc({ outcome: "ok" });
          successes += 1;
          this.onPrice(price, emitAll);
        } catch (err) {
          const error = classifyYahooError(err, symbol);
          yahooRequestsTotal.inc({ outcome: error.name });
          if (error instanceof YahooRateLimitedError) rateLimited = error;
          else if (error instanceof YahooSymbolNotFoundError)
            this.emit({ type: "notice", message: error.message, symbols: [symbol] });
          else {
            failures += 1;
            lastFailure = error;
          }
        }
      }
    };
    const workers = Math.max(1, Math.min(this.options.maxConcurrentRequests ?? 4, symbols.length));
    await Promise.all(Array.from({ length: workers }, worker));
    if (cycle !== this.cycle) return;
    this.lastAttemptAt = clock.now();
    yahooPollDurationSeconds.set((clock.now() - started) / 1000);
    this.finishCycle(successes, failures, rateLimited, lastFailure, logger);
  }

  private finishCycle(
    successes: number,
    failures: number,
    rateLimited: YahooRateLimitedError | null,
    lastFailure: YahooError | null,
    logger: Logger,
  ): void {
    const now = this.options.clock.now();
    if (rateLimited) {
      this.backoffLevel += 1;
      const base = this.options.backoffBaseMs ?? this.options.pollIntervalMs;
      const delay = Math.min(this.options.backoffMaxMs ?? 600_000, base * 2 ** (this.backoffLevel - 1));
      this.backoffUntil = now + delay;
      yahooBackoffSeconds.set(delay / 1000);
      this.lastError = `rate limited (429); backing off ${Math.round(delay / 100) / 10}s`;
      logger.warn({ backoffMs: delay, backoffLevel: this.backoffLevel }, `Yahoo ${this.lastError}`);
      this.emit({ type: "notice", message: `Yahoo ${this.lastError}` });
    } else {
      this.resetBackoff();
    }
    if (successes > 0) {
      this.consecutiveFailures = 0;
      this.lastSuccessAt = now;
      if (!rateLimited) this.lastError = lastFailure?.message ?? null;
      return;
    }
    if (!rateLimited && failures === 0) return; // only unknown symbols: not an outage
    this.recordFailure(
      rateLimited ? (this.lastError ?? "rate limited") : (lastFailure?.message ?? "poll failed"),
    );
  }

  private onPrice(price: YahooPrice, force: boolean): void {
    const now = this.options.clock.now();
    if (!this.symbols.includes(price.symbol)) return; // narrowed by setSymbols while in flight
    if (!this.healthy) {
      this.healthy = true;
      this.consecutiveFailures = 0;
      this.lastError = null;
      this.resetBackoff();
      this.lastSuccessAt = now;
      yahooFallbackHealthy.set(1);
      this.emit({ type: "up" });
    }
    this.lastMessageAt = now;
    this.messagesReceived += 1;
    // Yahoo repeats the last price between trades; only a new one (or the first after activation) is news.
    const key = `${price.time}:${price.price}`;
    if (!force && this.lastEmitted.get(price.symbol) === key) return;
    this.lastEmitted.set(price.symbol, key);
    const trade: Trade = {
      kind: "trade",
      symbol: price.symbol,
      eventTime: new Date(price.time).toISOString(),
      receivedAt: now,
      source: "yahoo",
      delayed: price.delayed,
      price: price.price,
      size: 0,
      tradeId: `yahoo-${price.time}`,
      exchange: null,
      conditions: [],
      tape: null,
      suspicious: false,
    };
    this.emit({ type: "trade", trade });
  }

  private resetBackoff(): void {
    if (this.backoffLevel === 0) return;
    this.backoffLevel = 0;
    this.backoffUntil = 0;
    yahooBackoffSeconds.set(0);
  }

  private scheduleNext(): void {
    this.clearTimer();
    const wait = Math.max(this.options.pollIntervalMs, this.backoffUntil - this.options.clock.now());
    this.timer = this.options.clock.setTimeout(() => this.runCycle(), wait);
  }

  private clearTimer(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private emit(event: SourceEvent): void {
    if (!this.stopped) this.listeners.emit(event);
  }
}
