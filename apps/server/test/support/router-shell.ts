// The router shell driven by hand: port doubles for the sources and the market session, a manual
// clock, and everything the router emits captured for the assertions (src/router/router*.test.ts).
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import type { Trade } from "@torghut/contracts";
import { pino } from "pino";
import { ManualClock } from "../../src/clock";
import type { SourceEvent, SourceHealth, SourceListener } from "../../src/sources/source";
import type { FallbackSource, MarketSessionFeed, RouterSettings } from "../../src/router/ports";
import { DataSourceRouter } from "../../src/router/router";
import type { PrimaryGap, RouterStatusEvent, TransitionRecord } from "../../src/router/snapshot";

/** A port-level double: the router's boundary is MarketDataSource, so this is all it ever sees. */
export class PortDouble implements FallbackSource {
  active = false;
  activations = 0;
  reconnects = 0;
  private readonly listeners = new Set<SourceListener>();
  constructor(readonly name: "alpaca" | "yahoo") {}
  start = () => Promise.resolve();
  stop = () => Promise.resolve();
  reconnect(): void {
    this.reconnects += 1;
  }
  setSymbols(): void {}
  activate(): void {
    if (!this.active) this.activations += 1;
    this.active = true;
  }
  deactivate(): void {
    this.active = false;
  }
  onEvent(listener: SourceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  health(): SourceHealth {
    return {
      healthy: true,
      connected: true,
      authenticated: true,
      lastError: null,
      consecutiveFailures: 0,
      subscribedSymbols: [],
      lastMessageAt: null,
      lastSuccessAt: null,
      messagesReceived: 0,
      reconnectAttempts: 0,
      configurationError: false,
    };
  }
  emit(event: SourceEvent): void {
    for (const l of this.listeners) l(event);
  }
  trade(price = 100): void {
    const trade: Trade = {
      kind: "trade",
      symbol: "AAPL",
      eventTime: "2026-01-05T15:00:00.000000000Z",
      receivedAt: 0,
      source: this.name,
      delayed: this.name === "yahoo",
      price,
      size: 1,
      tradeId: "1",
      exchange: null,
      conditions: [],
      tape: null,
      suspicious: false,
    };
    this.emit({ type: "trade", trade });
  }
  fail(reason = "connection lost", retryable = true): void {
    this.emit({ type: "failure", reason, retryable });
  }
}

export const SETTINGS: RouterSettings = {
  primaryEnabled: true,
  maxConsecutiveFailures: 3,
  messageTimeoutMs: 30_000,
  fallbackActivationDelayMs: 10_000,
  primaryRecoveryGraceMs: 10_000,
};

/** The market clock at the port: the test opens and closes the session by hand. */
export class SessionDouble implements MarketSessionFeed {
  private readonly listeners = new Set<(open: boolean) => void>();
  constructor(public open = true) {}
  isOpen(): boolean {
    return this.open;
  }
  onChange(listener: (open: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(open: boolean): void {
    this.open = open;
    for (const l of this.listeners) l(open);
  }
}

export async function setup(
  settings: Partial<RouterSettings> = {},
  withPrimary = true,
  market?: SessionDouble,
) {
  const clock = new ManualClock();
  const primary = new PortDouble("alpaca");
  const fallback = new PortDouble("yahoo");
  const fed: SourceEvent[] = [];
  const recorded: TransitionRecord[] = [];
  const gaps: PrimaryGap[] = [];
  const statuses: RouterStatusEvent[] = [];
  const lines: string[] = [];
  const logger = pino(
    { level: "info" },
    new Writable({
      write: (chunk: Buffer, _e, done) => {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  const router = new DataSourceRouter({
    primary: withPrimary ? primary : null,
    fallback,
    clock,
    logger,
    settings: { ...SETTINGS, ...settings },
    sink: (e) => fed.push(e),
    recorder: { record: (t) => void recorded.push(t) },
    ...(market ? { marketSession: market } : {}),
  });
  router.onGap((g) => gaps.push(g));
  router.onStatus((s) => statuses.push(s));
  await router.start();
  const sources = (n: number) => fed.slice(n).map((e) => (e.type === "trade" ? e.trade.source : e.type));
  return { clock, primary, fallback, router, fed, recorded, gaps, statuses, lines, sources };
}

/** Drives the primary into FALLBACK_ACTIVE the way a drop does: three failures, then the delay. */
export async function failedOver(settings: Partial<RouterSettings> = {}) {
  const ctx = await setup(settings);
  ctx.primary.emit({ type: "up" });
  ctx.primary.trade();
  ctx.primary.fail();
  ctx.primary.fail();
  ctx.primary.fail();
  ctx.clock.advance(SETTINGS.fallbackActivationDelayMs);
  assert.equal(ctx.router.currentState, "FALLBACK_ACTIVE");
  return ctx;
}
