import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventually } from "@torghut/testing";
import {
  FAST_SETTINGS,
  sourceOf,
  startFailoverHarness,
  statusAt,
  type FailoverHarness,
} from "../../test/support/failover-harness";

const { fallbackActivationDelayMs: DELAY, primaryRecoveryGraceMs: GRACE } = FAST_SETTINGS;
/** Timer granularity on a busy 2-core box. */
const SLACK = 25;

async function primaryFlowing(h: FailoverHarness): Promise<void> {
  await eventually(
    () => h.router.currentState === "PRIMARY_ACTIVE" && h.fed.some((f) => sourceOf(f) === "alpaca"),
    "alpaca data fed",
    10_000,
  );
}

async function withHarness(
  fn: (h: FailoverHarness) => Promise<void>,
  options: Parameters<typeof startFailoverHarness>[0] = {},
) {
  const h = await startFailoverHarness(options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

describe("DataSourceRouter with the simulator (real sockets, real adapters)", () => {
  test("drop → FALLBACK_ACTIVE after the delay, first Yahoo price ≤ delay + 1 s; failback only after the grace period", () =>
    withHarness(async (h) => {
      await primaryFlowing(h);
      const faultAt = Date.now();
      h.sim.control.setFault({ target: "alpaca", fault: "drop" });
      await eventually(() => h.router.currentState === "FALLBACK_ACTIVE", "failover", 10_000);
      const detectedAt = statusAt(h, faultAt, (s) => s.kind === "stale" && s.snapshot.pricesStale)!;
      const failoverAt = statusAt(
        h,
        faultAt,
        (s) => s.kind === "transition" && s.transition.to === "FALLBACK_ACTIVE",
      )!;
      assert.ok(detectedAt !== null, "last primary prices were marked stale during the delay");
      assert.ok(
        failoverAt - detectedAt >= DELAY - SLACK,
        `failover ${failoverAt - detectedAt} ms after detection`,
      );
      const firstYahoo = await eventually(
        () => h.fed.find((f) => f.at >= faultAt && sourceOf(f) === "yahoo"),
        "first Yahoo price",
        5_000,
      );
      assert.ok(
        firstYahoo.at - detectedAt <= DELAY + 1_000,
        `first Yahoo price ${firstYahoo.at - detectedAt} ms after detection`,
      );
      assert.equal(firstYahoo.event.type === "trade" && firstYahoo.event.trade.delayed, true);
      const snap = h.router.snapshot();
      assert.equal(snap.currentDataSource, "yahoo");
      assert.equal(snap.fallbackCount, 1);
      assert.match(snap.lastTransition!.reason, /^Alpaca /);

      const clearedAt = Date.now();
      h.sim.control.clearFaults("alpaca");
      await eventually(() => h.router.currentState === "PRIMARY_ACTIVE", "failback", 10_000);
      const upAt = h.alpacaUps.find((t) => t >= clearedAt)!;
      const failbackAt = statusAt(
        h,
        clearedAt,
        (s) => s.kind === "transition" && s.transition.to === "PRIMARY_ACTIVE",
      )!;
      assert.ok(
        failbackAt - upAt >= GRACE - SLACK,
        `failback ${failbackAt - upAt} ms after the primary came back`,
      );
      assert.equal(h.gaps.at(-1)?.cause, "failback");
      const afterFailback = h.fed.filter((f) => f.at > failbackAt + 50);
      await eventually(
        () => h.fed.some((f) => f.at > failbackAt + 50 && sourceOf(f) === "alpaca"),
        "alpaca data again",
        5_000,
      );
      assert.ok(
        afterFailback.every((f) => sourceOf(f) !== "yahoo"),
        "exactly one source feeds the pipeline",
      );
    }));

  test("silent socket → detected by MESSAGE_TIMEOUT_SECONDS, then fallback and back", () =>
    withHarness(async (h) => {
      await primaryFlowing(h);
      h.sim.control.setFault({ target: "alpaca", fault: "silent" });
      await eventually(() => !h.router.snapshot().primary.up, "silence detected", 5_000);
      assert.match(h.router.snapshot().primary.failureReason ?? "", /^timeout: no data for/);
      assert.equal(h.alpaca.health().connected, true, "the socket itself stayed open");
      await eventually(() => h.router.currentState === "FALLBACK_ACTIVE", "failover", 5_000);
      h.sim.control.clearFaults("alpaca");
      await eventually(() => h.router.currentState === "PRIMARY_ACTIVE", "failback", 10_000);
    }));

  test("both down → BOTH_UNAVAILABLE; back as soon as either recovers", () =>
    withHarness(async (h) => {
      await primaryFlowing(h);
      h.sim.control.setFault({ target: "yahoo", fault: "down" });
      h.sim.control.setFault({ target: "alpaca", fault: "down" });
      await eventually(() => h.router.currentState === "BOTH_UNAVAILABLE", "both unavailable", 10_000);
      const snap = h.router.snapshot();
      assert.equal(snap.currentDataSource, null);
      assert.equal(snap.pricesStale, true);
      h.sim.control.clearFaults("yahoo");
      await eventually(() => h.router.currentState === "FALLBACK_ACTIVE", "Yahoo recovered", 10_000);
      assert.equal(h.router.snapshot().lastTransition!.reason, "Yahoo recovered");
      h.sim.control.setFault({ target: "yahoo", fault: "down" });
      await eventually(() => h.router.currentState === "BOTH_UNAVAILABLE", "both unavailable again", 10_000);
      h.sim.control.clearFaults("alpaca");
      await eventually(() => h.router.currentState === "PRIMARY_ACTIVE", "Alpaca recovered", 10_000);
      assert.equal(h.router.snapshot().lastTransition!.reason, "Alpaca recovered");
    }));

  test("406 storm → fallback without ever a second session", () =>
    withHarness(async (h) => {
      await primaryFlowing(h);
      h.sim.control.setFault({ target: "alpaca", fault: "connection-limit" });
      h.alpaca.reconnect();
      await eventually(() => h.router.currentState === "FALLBACK_ACTIVE", "failover on 406s", 10_000);
      h.sim.control.clearFaults("alpaca");
      await eventually(() => h.router.currentState === "PRIMARY_ACTIVE", "failback", 10_000);
      assert.ok(h.sim.control.counters().maxConcurrentAuthenticatedSessions <= 1);
    }));

  test("flapping → damped: the grace period lengthens and the snapshot says so", () =>
    withHarness(
      async (h) => {
        await primaryFlowing(h);
        for (let cycle = 0; cycle < 2; cycle++) {
          h.sim.control.setFault({ target: "alpaca", fault: "drop" });
          await eventually(() => h.router.currentState === "FALLBACK_ACTIVE", `failover ${cycle}`, 10_000);
          const clearedAt = Date.now();
          h.sim.control.clearFaults("alpaca");
          await eventually(() => h.router.currentState === "PRIMARY_ACTIVE", `failback ${cycle}`, 10_000);
          const upAt = h.alpacaUps.find((t) => t >= clearedAt)!;
          const failbackAt = statusAt(
            h,
            clearedAt,
            (s) => s.kind === "transition" && s.transition.to === "PRIMARY_ACTIVE",
          )!;
          const expected = cycle === 0 ? GRACE : 2 * GRACE;
          assert.ok(
            failbackAt - upAt >= expected - SLACK,
            `cycle ${cycle}: failback after ${failbackAt - upAt} ms, want ≥ ${expected}`,
          );
        }
        const snap = h.router.snapshot();
        assert.equal(snap.damping.active, true);
        assert.equal(snap.damping.gracePeriodMs, 2 * GRACE);
        assert.match(snap.lastTransition!.reason, /stable for 1\.2s/);
      },
      { settings: { flapDamping: { windowMs: 3_600_000, threshold: 1, maxMultiplier: 16 } } },
    ));

  test("manual failover holds until released; reconnect keeps one session", () =>
    withHarness(async (h) => {
      await primaryFlowing(h);
      h.router.forceFallback("ops@desk");
      assert.equal(h.router.currentState, "FALLBACK_ACTIVE");
      const forcedAt = Date.now();
      await eventually(
        () => h.fed.some((f) => f.at >= forcedAt && sourceOf(f) === "yahoo"),
        "Yahoo prices while forced",
        5_000,
      );
      // Alpaca stays healthy throughout: wait well past the grace period with its data flowing.
      await eventually(
        () => h.router.snapshot().primary.up && Date.now() - forcedAt > 3 * GRACE,
        "three grace periods",
        5_000,
      );
      assert.equal(h.router.currentState, "FALLBACK_ACTIVE", "forced state holds");
      h.router.reconnectPrimary("ops@desk");
      assert.equal(h.router.currentState, "FALLBACK_ACTIVE");
      h.router.releaseManual("ops@desk");
      await eventually(() => h.router.currentState === "PRIMARY_ACTIVE", "back to automatic", 10_000);
      assert.deepEqual(
        h.router.snapshot().recentTransitions.map((t) => t.actor),
        ["ops@desk", "ops@desk"],
      );
      assert.ok(h.sim.control.counters().maxConcurrentAuthenticatedSessions <= 1);
    }));

  test("Yahoo 429 while it is the fallback → back-off reported, BOTH_UNAVAILABLE, recovery", () =>
    withHarness(async (h) => {
      await primaryFlowing(h);
      h.sim.control.setFault({ target: "yahoo", fault: "429" });
      h.router.forceFallback("ops@desk");
      await eventually(() => h.router.currentState === "BOTH_UNAVAILABLE", "Yahoo rate limited", 5_000);
      assert.match(h.router.snapshot().fallback.health.lastError ?? "", /rate limited \(429\); backing off/);
      assert.ok(h.yahoo.backoff().level >= 1);
      h.sim.control.clearFaults("yahoo");
      await eventually(() => h.router.currentState === "FALLBACK_ACTIVE", "Yahoo back", 10_000);
      assert.equal(h.yahoo.backoff().level, 0);
    }));

  test("ENABLE_ALPACA_STREAMING=false → Yahoo only, reason 'primary disabled'", () =>
    withHarness(
      async (h) => {
        await eventually(() => h.fed.some((f) => sourceOf(f) === "yahoo"), "Yahoo prices", 5_000);
        const snap = h.router.snapshot();
        assert.equal(snap.connectionState, "FALLBACK_ACTIVE");
        assert.equal(snap.lastTransition!.reason, "primary disabled");
        assert.equal(h.alpaca.health().connected, false, "no Alpaca connection at all");
        assert.equal(h.sim.control.counters().connectionsOpened, 0);
      },
      { settings: { primaryEnabled: false } },
    ));
});
