import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, test } from "node:test";
import type { Trade } from "@torghut/contracts";
import { pino } from "pino";
import { ManualClock } from "../clock";
import type { SourceEvent, SourceHealth, SourceListener } from "../sources/source";
import type { FallbackSource, MarketSessionFeed, RouterSettings } from "./ports";
import { DataSourceRouter } from "./router";
import type { PrimaryGap, RouterStatusEvent, TransitionRecord } from "./snapshot";

/** A port-level double: the router's boundary is MarketDataSource, so this is all it ever sees. */
class PortDouble implements FallbackSource {
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

const SETTINGS: RouterSettings = {
  primaryEnabled: true,
  maxConsecutiveFailures: 3,
  messageTimeoutMs: 30_000,
  fallbackActivationDelayMs: 10_000,
  primaryRecoveryGraceMs: 10_000,
};

/** The market clock at the port: the test opens and closes the session by hand. */
class SessionDouble implements MarketSessionFeed {
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

async function setup(settings: Partial<RouterSettings> = {}, withPrimary = true, market?: SessionDouble) {
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
async function failedOver(settings: Partial<RouterSettings> = {}) {
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

describe("DataSourceRouter shell (driven clock, port doubles)", () => {
  test("fails over only after MAX_CONSECUTIVE_FAILURES and the activation delay; prices stale meanwhile", async () => {
    const { primary, fallback, router, clock, statuses } = await setup();
    primary.emit({ type: "up" });
    primary.trade();
    primary.fail();
    primary.fail();
    clock.advance(20_000);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.equal(router.snapshot().pricesStale, false);
    primary.fail();
    assert.equal(router.snapshot().pricesStale, true, "last primary prices marked stale during the delay");
    assert.ok(statuses.some((s) => s.kind === "stale" && s.snapshot.pricesStale));
    clock.advance(9_999);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.equal(fallback.active, false);
    clock.advance(1);
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    assert.equal(fallback.active, true, "fallback activated (polls immediately)");
    assert.equal(router.snapshot().fallbackCount, 1);
    assert.equal(router.snapshot().pricesStale, false);
  });

  test("silence for MESSAGE_TIMEOUT_SECONDS counts as a failure", async () => {
    const { primary, router, clock } = await setup();
    primary.emit({ type: "up" });
    primary.trade();
    clock.advance(29_000);
    assert.equal(router.snapshot().primary.up, true);
    clock.advance(1_100);
    assert.equal(router.snapshot().primary.up, false);
    assert.match(router.snapshot().primary.failureReason ?? "", /timeout: no data for 30s/);
    clock.advance(10_000);
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    assert.match(router.snapshot().lastTransition!.reason, /^Alpaca timeout: no data for 30s/);
  });

  test("silence counts across reconnects: a handshake that brings no data forgives nothing", async () => {
    const { primary, router, clock } = await setup({
      messageTimeoutMs: 5_000,
      fallbackActivationDelayMs: 2_000,
    });
    primary.emit({ type: "up" });
    primary.trade();
    // The stream answers every handshake and then says nothing; the client's own watchdog
    // reconnects it every 4 s, as Alpaca's users saw (alpaca-py #740).
    for (let i = 0; i < 3; i++) {
      clock.advance(2_000);
      primary.fail("no data for 4 s while subscribed");
      primary.emit({ type: "up" });
      clock.advance(2_000);
      if (router.currentState !== "PRIMARY_ACTIVE") break;
    }
    assert.equal(router.currentState, "FALLBACK_ACTIVE", "failed over within timeout + delay");
    assert.match(
      router.snapshot().lastTransition!.reason,
      /^Alpaca timeout: no data for 5s across 1 reconnect\(s\)$/,
    );
    assert.equal(router.snapshot().primary.sessionUp, true, "the session itself was up throughout");
    assert.ok(router.snapshot().primary.consecutiveFailures >= 2, "failures kept counting across handshakes");
  });

  test("outside market hours silence is not a failure; a session is health; the open restarts the count", async () => {
    const market = new SessionDouble(false);
    const { primary, router, clock, fallback } = await setup({ messageTimeoutMs: 5_000 }, true, market);
    assert.equal(router.snapshot().marketOpen, false);
    primary.emit({ type: "up" });
    clock.advance(3_600_000);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.equal(router.snapshot().primary.up, true);
    assert.equal(router.snapshot().pricesStale, false);
    assert.equal(fallback.activations, 0, "no flapping to Yahoo all night");
    market.set(true);
    clock.advance(4_999);
    assert.equal(router.snapshot().primary.up, true, "silence counts from the open, not from yesterday");
    clock.advance(1_000);
    assert.equal(router.snapshot().primary.up, false);
    assert.match(router.snapshot().primary.failureReason ?? "", /^timeout: no data for 5s$/);
  });

  test("a market close forgives session-time silence; failback needs only the grace period then", async () => {
    const market = new SessionDouble(true);
    const { primary, router, clock } = await setup({ messageTimeoutMs: 5_000 }, true, market);
    primary.emit({ type: "up" });
    primary.trade();
    clock.advance(5_000 + SETTINGS.fallbackActivationDelayMs);
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    market.set(false);
    clock.advance(SETTINGS.primaryRecoveryGraceMs - 1);
    assert.equal(router.currentState, "FALLBACK_ACTIVE", "hysteresis still applies");
    clock.advance(1);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.match(router.snapshot().lastTransition!.reason, /^Alpaca recovered/);
  });

  test("both down with the market closed: a session brings the primary back", async () => {
    const market = new SessionDouble(false);
    const { primary, fallback, router } = await setup({}, true, market);
    primary.emit({ type: "up" });
    primary.fail("connection lost", false);
    fallback.fail("HTTP 503");
    router.forceFallback("ops");
    router.releaseManual("ops");
    assert.equal(router.currentState, "BOTH_UNAVAILABLE");
    primary.emit({ type: "up" });
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.equal(router.snapshot().lastTransition!.reason, "Alpaca session up (market closed: no data due)");
  });

  test("a configuration error fails the primary at once", async () => {
    const { primary, router } = await setup();
    primary.fail("auth failed (402)", false);
    assert.equal(router.snapshot().primary.up, false);
  });

  test("primary back within the delay: no failover, and the reconnect gap is reported", async () => {
    const { primary, router, clock, gaps, fallback } = await setup();
    primary.emit({ type: "up" });
    primary.trade();
    const lastFed = clock.now();
    clock.advance(1000);
    primary.fail();
    primary.fail();
    primary.fail();
    clock.advance(5000);
    primary.emit({ type: "up" });
    primary.trade();
    clock.advance(20_000);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.equal(fallback.activations, 0);
    assert.deepEqual(gaps, [{ startMs: lastFed, endMs: lastFed + 6000, cause: "reconnect" }]);
  });

  test("exactly one source feeds the sink, each tick keeps its provenance", async () => {
    const { primary, fallback, sources, clock, router } = await failedOver();
    const n = 1;
    primary.trade();
    fallback.emit({ type: "up" });
    fallback.trade();
    assert.deepEqual(sources(n), ["yahoo"], "primary data ignored while on fallback");
    primary.emit({ type: "up" });
    primary.trade();
    clock.advance(10_000);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    fallback.trade();
    primary.trade();
    assert.deepEqual(sources(n), ["yahoo", "alpaca"]);
  });

  test("failback only after the grace period of stable data, then the gap is backfilled", async () => {
    const { primary, router, clock, gaps, fallback, recorded } = await failedOver();
    clock.advance(5_000);
    primary.emit({ type: "up" });
    const upAt = clock.now();
    clock.advance(3_000);
    primary.fail(); // unstable: the grace period starts again
    primary.emit({ type: "up" });
    const restartAt = clock.now();
    primary.trade();
    clock.advance(9_999);
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    assert.ok(restartAt > upAt);
    clock.advance(1);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.equal(fallback.active, false);
    assert.equal(gaps.length, 1);
    assert.equal(gaps[0]!.cause, "failback");
    assert.equal(gaps[0]!.endMs, clock.now());
    assert.deepEqual(
      recorded.map((r) => `${r.from}>${r.to}:${r.actor}`),
      ["PRIMARY_ACTIVE>FALLBACK_ACTIVE:router", "FALLBACK_ACTIVE>PRIMARY_ACTIVE:router"],
    );
  });

  test("no failback on a session without data; the grace period counts from the first data", async () => {
    const { primary, router, clock } = await failedOver({ messageTimeoutMs: 0 });
    primary.emit({ type: "up" });
    clock.advance(60_000);
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    assert.equal(router.snapshot().primary.up, false, "a session is not a recovery");
    assert.equal(router.snapshot().primary.sessionUp, true);
    primary.trade();
    clock.advance(9_999);
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    clock.advance(1);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
  });

  test("both down → BOTH_UNAVAILABLE; leaves as soon as either recovers", async () => {
    const { primary, fallback, router } = await failedOver();
    fallback.fail("HTTP 503");
    assert.equal(router.currentState, "BOTH_UNAVAILABLE");
    assert.equal(router.snapshot().currentDataSource, null);
    assert.equal(router.snapshot().pricesStale, true);
    fallback.emit({ type: "up" });
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    fallback.fail("HTTP 503");
    primary.emit({ type: "up" });
    assert.equal(router.currentState, "BOTH_UNAVAILABLE", "a handshake without data recovers nothing");
    primary.trade();
    assert.equal(router.currentState, "PRIMARY_ACTIVE", "no grace period out of BOTH_UNAVAILABLE");
  });

  test("flapping lengthens the grace period and says so", async () => {
    const { primary, router, clock, statuses } = await setup();
    for (let i = 0; i < 4; i++) {
      primary.emit({ type: "up" });
      primary.trade();
      primary.fail("connection lost", false);
      clock.advance(10_000);
      assert.equal(router.currentState, "FALLBACK_ACTIVE");
      primary.emit({ type: "up" });
      primary.trade();
      clock.advance(i < 3 ? 10_000 : 19_999);
      assert.equal(router.currentState, i < 3 ? "PRIMARY_ACTIVE" : "FALLBACK_ACTIVE", `cycle ${i}`);
    }
    const damping = router.snapshot().damping;
    assert.deepEqual(
      { active: damping.active, n: damping.failoversInWindow, grace: damping.gracePeriodMs },
      { active: true, n: 4, grace: 20_000 },
    );
    assert.equal(router.snapshot().settings.primaryRecoveryGracePeriodSeconds, 20);
    assert.ok(statuses.some((s) => s.kind === "damping" && s.snapshot.damping.active));
    clock.advance(1);
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.match(router.snapshot().lastTransition!.reason, /stable for 20s/);
    clock.advance(3_600_000);
    assert.equal(router.snapshot().damping.active, false, "damping decays after an hour");
  });

  test("manual failover holds until released; reconnect asks the primary; actors recorded", async () => {
    const { primary, router, clock, recorded } = await setup();
    primary.emit({ type: "up" });
    primary.trade();
    router.forceFallback("alice");
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    assert.equal(router.snapshot().forcedMode.active, true);
    for (let i = 0; i < 10; i++) {
      primary.trade();
      clock.advance(10_000);
    }
    assert.equal(router.currentState, "FALLBACK_ACTIVE", "forced state holds");
    router.reconnectPrimary("bob");
    assert.equal(primary.reconnects, 1);
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    router.releaseManual("carol");
    assert.equal(router.currentState, "PRIMARY_ACTIVE");
    assert.deepEqual(
      recorded.map((r) => r.actor),
      ["alice", "carol"],
    );
    assert.equal(router.snapshot().forcedMode.active, false);
  });

  test("ENABLE_ALPACA_STREAMING=false: Yahoo only, reason 'primary disabled', not a failover", async () => {
    const { router, primary, fallback, sources } = await setup({ primaryEnabled: false });
    assert.equal(router.currentState, "FALLBACK_ACTIVE");
    assert.equal(router.snapshot().lastTransition!.reason, "primary disabled");
    assert.equal(router.snapshot().fallbackCount, 0);
    primary.emit({ type: "up" });
    primary.trade();
    fallback.trade();
    assert.deepEqual(sources(0), ["yahoo"]);
  });

  test("logs the runbook's transition line", async () => {
    const { lines } = await failedOver();
    const messages = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.ok(
      messages.includes(
        "DataSourceRouter state transition: PRIMARY_ACTIVE → FALLBACK_ACTIVE (reason: Alpaca connection lost (3 consecutive failures))",
      ),
      messages.join("\n"),
    );
  });
});
