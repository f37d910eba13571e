import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { failedOver, setup } from "../../test/support/router-shell";

describe("DataSourceRouter shell: recovery, failback and manual control", () => {
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
