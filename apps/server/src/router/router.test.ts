import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SessionDouble, SETTINGS, setup } from "../../test/support/router-shell";

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
});
