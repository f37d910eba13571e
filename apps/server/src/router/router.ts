import type { TimerHandle } from "../clock";
import type { SourceEvent } from "../sources/source";
import { actorOf, applyEvent, type RouterEvent } from "./events";
import { DEFAULT_FLAP_DAMPING, FlapDamper } from "./flap-damping";
import {
  routerFailoversTotal,
  routerGraceSeconds,
  routerStateGauge,
  routerTransitionsTotal,
} from "./metrics";
import {
  type PrimaryGap,
  type RouterSnapshot,
  type RouterStatusEvent,
  type TransitionRecord,
} from "./snapshot";
import { GapTracker } from "./gap-tracker";
import { RouterListeners } from "./listeners";
import { buildRouterSnapshot } from "./snapshot-builder";
import type { DataSourceRouterOptions } from "./ports";
import { initialFacts, ROUTER_STATES, type RouterFacts, type RouterState } from "./states";
import { decide, GUARDS } from "./transitions";

const RECENT_KEPT = 50;
const isData = (e: SourceEvent): boolean => e.type === "trade" || e.type === "quote" || e.type === "bar";

/**
 * The shell around the transition table: it owns the watchdogs and timers, turns source events into
 * router events, runs every state change through `fire`, and performs the entry effects.
 */
export class DataSourceRouter {
  private state: RouterState = "PRIMARY_ACTIVE";
  private facts: RouterFacts;
  private sinceMs: number;
  private fallbackCount = 0;
  private readonly transitions: TransitionRecord[] = [];
  private forcedBy: { actor: string; at: number } | null = null;
  private readonly damper: FlapDamper;
  private consecutiveFailures = 0;
  /** Sessions that ended since the primary last delivered data: silence spans them. */
  private sessionsSinceData = 0;
  private lastPrimaryDataAt: number | null = null;
  /** Silence is counted from the later of the last data and this (start-up, or the market's open). */
  private silenceBaseAt: number;
  private lastFallbackDataAt: number | null = null;
  private activationTimer: TimerHandle | null = null;
  private graceTimer: TimerHandle | null = null;
  private silenceTimer: TimerHandle | null = null;
  private stale = false;
  private readonly unsubscribers: (() => void)[] = [];
  private readonly listeners: RouterListeners;
  /** Where the primary's hole in the stored ticks starts, for the backfill. */
  private readonly gaps: GapTracker;
  private started = false;

  constructor(private readonly options: DataSourceRouterOptions) {
    const { settings, clock } = options;
    const enabled = settings.primaryEnabled && options.primary !== null;
    const grace = settings.primaryRecoveryGraceMs;
    this.facts = initialFacts(enabled, grace, options.marketSession?.isOpen() ?? true);
    this.damper = new FlapDamper(grace, settings.flapDamping ?? DEFAULT_FLAP_DAMPING);
    this.sinceMs = this.silenceBaseAt = clock.now();
    this.listeners = new RouterListeners(options.logger, options.recorder);
    this.gaps = new GapTracker((gap) => this.listeners.gap(gap));
    this.updateStateGauge();
    routerGraceSeconds.set(settings.primaryRecoveryGraceMs / 1000);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { primary, fallback, clock, settings, marketSession } = this.options;
    this.unsubscribers.push(fallback.onEvent(this.onFallbackEvent));
    if (marketSession) {
      this.unsubscribers.push(marketSession.onChange((open) => this.onMarketChange(open)));
      // The clock may have answered between construction and start.
      if (marketSession.isOpen() !== this.facts.marketOpen) this.onMarketChange(marketSession.isOpen());
    }
    if (primary !== null) this.unsubscribers.push(primary.onEvent(this.onPrimaryEvent));
    this.silenceBaseAt = clock.now();
    if (settings.messageTimeoutMs > 0) {
      const every = Math.max(10, Math.min(1000, Math.floor(settings.messageTimeoutMs / 10)));
      this.silenceTimer = clock.setInterval(() => this.checkSilence(), every);
    }
    await fallback.start();
    if (this.facts.primaryEnabled && primary !== null) await primary.start();
    else this.fire({ type: "PRIMARY_DISABLED" });
  }

  async stop(): Promise<void> {
    const { clock, primary, fallback } = this.options;
    for (const off of this.unsubscribers.splice(0)) off();
    for (const t of [this.activationTimer, this.graceTimer]) if (t) clock.clearTimeout(t);
    if (this.silenceTimer) clock.clearInterval(this.silenceTimer);
    this.activationTimer = this.graceTimer = this.silenceTimer = null;
    await Promise.all([primary?.stop(), fallback.stop()]);
  }

  /** The single entry point for state changes: facts first, then the table, then entry effects. */
  fire(event: RouterEvent): TransitionRecord | null {
    const now = this.options.clock.now();
    this.facts = applyEvent(this.facts, event);
    const decision = decide(this.state, { facts: this.facts, event, now });
    let record: TransitionRecord | null = null;
    if (decision && decision.to !== this.state) {
      record = {
        from: this.state,
        to: decision.to,
        reason: decision.reason,
        actor: actorOf(event),
        event: event.type,
        at: now,
      };
      this.enter(record);
    }
    this.afterEvent(event);
    return record;
  }

  forceFallback(actor: string): RouterSnapshot {
    this.forcedBy = { actor, at: this.options.clock.now() };
    this.options.logger.warn({ actor }, "DataSourceRouter manual failover requested");
    this.fire({ type: "FORCE_FALLBACK", actor });
    this.emitStatus("forced");
    return this.snapshot();
  }

  reconnectPrimary(actor: string): RouterSnapshot {
    const { primary, logger } = this.options;
    logger.warn({ actor }, "DataSourceRouter manual primary reconnect requested");
    if (primary !== null && this.facts.primaryEnabled) {
      if (this.state === "PRIMARY_ACTIVE") this.gaps.broke(this.options.clock.now());
      primary.reconnect();
    }
    this.fire({ type: "RECONNECT_PRIMARY", actor });
    return this.snapshot();
  }

  releaseManual(actor: string): RouterSnapshot {
    this.forcedBy = null;
    this.options.logger.warn({ actor }, "DataSourceRouter returned to automatic");
    this.fire({ type: "RELEASE_MANUAL", actor });
    this.emitStatus("forced");
    return this.snapshot();
  }

  onStatus(listener: (e: RouterStatusEvent) => void): () => void {
    return this.listeners.onStatus(listener);
  }

  /** Called after failback and after a primary reconnect with the window to backfill. */
  onGap(listener: (gap: PrimaryGap) => void): () => void {
    return this.listeners.onGap(listener);
  }

  get currentState(): RouterState {
    return this.state;
  }

  snapshot(): RouterSnapshot {
    return buildRouterSnapshot(this.options, this.facts, this.damper.view(this.options.clock.now()), {
      state: this.state,
      sinceMs: this.sinceMs,
      fallbackCount: this.fallbackCount,
      transitions: this.transitions,
      forcedBy: this.forcedBy,
      consecutiveFailures: this.consecutiveFailures,
      lastPrimaryDataAt: this.lastPrimaryDataAt,
      lastFallbackDataAt: this.lastFallbackDataAt,
      stale: this.stale,
    });
  }

  // Arrow properties, subscribed as they are: no wrapper call per event on the trade's path.
  private readonly onPrimaryEvent = (event: SourceEvent): void => {
    if (!this.facts.primaryEnabled) return;
    const now = this.options.clock.now();
    if (isData(event)) {
      this.lastPrimaryDataAt = now;
      this.consecutiveFailures = 0;
      this.sessionsSinceData = 0;
      if (!this.facts.primaryUp) this.fire({ type: "PRIMARY_RECOVERED", at: now });
      else if (this.facts.primaryStableSince === null) this.fire({ type: "PRIMARY_RECOVERED", at: now });
      if (!this.facts.primaryDataSinceRecovery) this.fire({ type: "PRIMARY_DATA" });
      if (this.state === "PRIMARY_ACTIVE") {
        this.gaps.fed(now);
        this.options.sink(event);
      }
      return;
    }
    if (event.type === "up") {
      // A handshake is not data: the failure count and the silence clock carry on (reference §1.8).
      this.fire({ type: "PRIMARY_SESSION_UP", at: now });
      if (this.facts.primaryUp && !this.facts.marketOpen) this.consecutiveFailures = 0;
    } else if (event.type === "failure") {
      this.consecutiveFailures += 1;
      this.sessionsSinceData += 1;
      this.fire({ type: "PRIMARY_SESSION_LOST", reason: event.reason });
      if (this.state === "PRIMARY_ACTIVE") this.gaps.broke(now);
      if (!this.facts.primaryUp) return;
      const exhausted = this.consecutiveFailures >= this.options.settings.maxConsecutiveFailures;
      // Away from the primary, any failure restarts the recovery: stability means no failure at all.
      if (!event.retryable || exhausted || this.state !== "PRIMARY_ACTIVE") {
        const detail = !event.retryable
          ? "configuration error"
          : `${this.consecutiveFailures} consecutive failures`;
        this.fire({ type: "PRIMARY_FAILED", reason: `${event.reason} (${detail})` });
      }
    }
  };

  private readonly onFallbackEvent = (event: SourceEvent): void => {
    if (isData(event)) {
      if (this.state !== "FALLBACK_ACTIVE") return;
      this.lastFallbackDataAt = this.options.clock.now();
      this.options.sink(event);
    } else if (event.type === "up") {
      if (!this.facts.fallbackUp || this.state === "BOTH_UNAVAILABLE")
        this.fire({ type: "FALLBACK_RECOVERED" });
    } else if (event.type === "failure") {
      this.fire({ type: "FALLBACK_FAILED", reason: event.reason });
    }
  };

  private checkSilence(): void {
    const { clock, settings } = this.options;
    const now = clock.now();
    if (!GUARDS.silenceIsFailure.test({ facts: this.facts, now })) return;
    const last = Math.max(this.lastPrimaryDataAt ?? 0, this.silenceBaseAt);
    const silentMs = now - last;
    if (silentMs >= settings.messageTimeoutMs) {
      if (this.state === "PRIMARY_ACTIVE") this.gaps.broke(last);
      const across = this.sessionsSinceData > 0 ? ` across ${this.sessionsSinceData} reconnect(s)` : "";
      this.fire({
        type: "PRIMARY_FAILED",
        reason: `timeout: no data for ${Math.round(silentMs / 1000)}s${across}`,
      });
    }
  }

  private onMarketChange(open: boolean): void {
    const now = this.options.clock.now();
    // Last night's quiet is not this session's silence: count it from the open.
    if (open) this.silenceBaseAt = now;
    this.fire(open ? { type: "MARKET_OPENED", at: now } : { type: "MARKET_CLOSED", at: now });
    if (!open && this.facts.primaryUp) this.consecutiveFailures = 0;
  }

  private enter(record: TransitionRecord): void {
    const { logger, fallback, clock } = this.options;
    this.state = record.to;
    this.sinceMs = record.at;
    this.transitions.push(record);
    if (this.transitions.length > RECENT_KEPT) this.transitions.shift();
    logger.info(
      { from: record.from, to: record.to, reason: record.reason, actor: record.actor },
      `DataSourceRouter state transition: ${record.from} → ${record.to} (reason: ${record.reason})`,
    );
    routerTransitionsTotal.inc({ from: record.from, to: record.to });
    this.updateStateGauge();
    if (record.from === "PRIMARY_ACTIVE") {
      this.clearActivationTimer();
      this.gaps.broke(record.at);
      // Running Yahoo-only by configuration is not a failover: it neither counts nor damps.
      if (record.event !== "PRIMARY_DISABLED") {
        this.fallbackCount += 1;
        routerFailoversTotal.inc();
        this.damper.recordFailover(record.at);
        this.refreshGrace();
      }
    }
    if (record.to === "PRIMARY_ACTIVE") {
      fallback.deactivate();
      if (this.graceTimer) clock.clearTimeout(this.graceTimer);
      this.graceTimer = null;
      this.gaps.failedBack(record.at);
    } else {
      fallback.activate();
    }
    this.listeners.record(record);
    this.listeners.status({ kind: "transition", transition: record, snapshot: this.snapshot() });
  }

  /** Timers and derived flags that follow from the facts after any event. */
  private afterEvent(event: RouterEvent): void {
    const { clock, settings } = this.options;
    if (event.type === "PRIMARY_FAILED" && this.state === "PRIMARY_ACTIVE" && this.activationTimer === null) {
      this.activationTimer = clock.setTimeout(() => {
        this.activationTimer = null;
        this.fire({ type: "ACTIVATION_DELAY_ELAPSED" });
      }, settings.fallbackActivationDelayMs);
    }
    if (this.facts.primaryUp) this.clearActivationTimer();
    if (event.type === "PRIMARY_RECOVERED") this.refreshGrace();
    this.scheduleGraceCheck();
    const stale =
      (this.state === "PRIMARY_ACTIVE" && !this.facts.primaryUp) || this.state === "BOTH_UNAVAILABLE";
    if (stale !== this.stale) {
      this.stale = stale;
      this.emitStatus("stale");
    }
  }

  private scheduleGraceCheck(): void {
    const { clock } = this.options;
    const waiting =
      this.state !== "PRIMARY_ACTIVE" && this.facts.primaryUp && this.facts.primaryStableSince !== null;
    if (!waiting) {
      if (this.graceTimer) clock.clearTimeout(this.graceTimer);
      this.graceTimer = null;
      return;
    }
    if (this.graceTimer !== null) return;
    // Past due but not yet failed back (no data yet, or forced): look again shortly, never in a tight loop.
    const recheckMs = Math.max(10, Math.min(1000, Math.floor(this.facts.effectiveGraceMs / 10)));
    const untilDue = this.facts.primaryStableSince! + this.facts.effectiveGraceMs - clock.now();
    this.graceTimer = clock.setTimeout(
      () => {
        this.graceTimer = null;
        this.fire({ type: "GRACE_ELAPSED", at: clock.now() });
      },
      untilDue > 0 ? untilDue : recheckMs,
    );
  }

  private refreshGrace(): void {
    const view = this.damper.view(this.options.clock.now());
    if (view.gracePeriodMs === this.facts.effectiveGraceMs) return;
    if (view.active) {
      this.options.logger.warn(
        { failoversInWindow: view.failoversInWindow, gracePeriodMs: view.gracePeriodMs },
        `DataSourceRouter flap damping: ${view.failoversInWindow} failovers in the last hour; primary recovery grace period lengthened to ${view.gracePeriodMs / 1000}s`,
      );
    } else {
      this.options.logger.info({ gracePeriodMs: view.gracePeriodMs }, "DataSourceRouter flap damping ended");
    }
    routerGraceSeconds.set(view.gracePeriodMs / 1000);
    this.facts = applyEvent(this.facts, { type: "GRACE_CHANGED", graceMs: view.gracePeriodMs });
    if (this.graceTimer) this.options.clock.clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.emitStatus("damping");
  }

  private clearActivationTimer(): void {
    if (this.activationTimer) this.options.clock.clearTimeout(this.activationTimer);
    this.activationTimer = null;
  }

  private updateStateGauge(): void {
    for (const s of ROUTER_STATES) routerStateGauge.set({ state: s }, s === this.state ? 1 : 0);
  }

  private emitStatus(kind: "stale" | "forced" | "damping"): void {
    this.listeners.status({ kind, snapshot: this.snapshot() });
  }
}
