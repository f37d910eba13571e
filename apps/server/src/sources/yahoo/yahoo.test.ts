import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { pino } from "pino";
import { eventually } from "@torghut/testing";
import { systemClock } from "../../clock";
import type { SourceEvent } from "../source";
import { YahooClient } from "./client";
import { YahooRateLimitedError, YahooSymbolNotFoundError } from "./errors";
import { YahooSource } from "./poller";

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AVGO", "JPM", "V"];
const logger = pino({ level: "silent" });

describe("Yahoo adapter against the simulator", () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startSimulator({ port: 0, seed: 7, symbols: SYMBOLS });
  });
  after(() => sim.close());

  /** Counts requests in flight at the transport: the adapter's own code runs unchanged. */
  function countingFetch() {
    const stats = { inFlight: 0, maxInFlight: 0, hosts: new Set<string>() };
    const impl: typeof fetch = async (input, init) => {
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      stats.hosts.add(new URL(input instanceof Request ? input.url : String(input)).host);
      try {
        return await fetch(input, init);
      } finally {
        stats.inFlight -= 1;
      }
    };
    return { impl, stats };
  }

  function makeSource(
    pollIntervalMs: number,
    fetchImpl?: typeof fetch,
    extra: Partial<ConstructorParameters<typeof YahooSource>[0]> = {},
  ) {
    const client = new YahooClient({ baseUrl: sim.yahooBaseUrl, logger, fetchImpl });
    const source = new YahooSource({
      client,
      clock: systemClock,
      logger,
      symbols: SYMBOLS,
      pollIntervalMs,
      startActive: false,
      ...extra,
    });
    const events: SourceEvent[] = [];
    source.onEvent((e) => events.push(e));
    return { source, events, client };
  }

  test("chart() price through the rewritten base URL; unknown symbol is a symbol error", async () => {
    const { impl, stats } = countingFetch();
    const client = new YahooClient({ baseUrl: sim.yahooBaseUrl, logger, fetchImpl: impl });
    const price = await client.latestPrice("AAPL");
    assert.equal(price.symbol, "AAPL");
    assert.ok(price.price > 0 && Number.isFinite(price.time));
    assert.equal(price.delayed, true, "chart bodies carry no real-time marker");
    assert.deepEqual([...stats.hosts], [new URL(sim.yahooBaseUrl).host], "nothing leaves for the real Yahoo");
    const refusal: unknown = await client.latestPrice("ZZZZ").then(
      () => null,
      (error: unknown) => error,
    );
    assert.ok(refusal instanceof YahooSymbolNotFoundError);
    assert.equal(refusal.name, "YahooSymbolNotFoundError", "named after its class by SourceError");
    assert.equal(refusal.status, 404);
    assert.equal(refusal.retryable, false);
  });

  test("dormant until activated, then polls at once: trades tagged yahoo + delayed, ≤ 4 in flight", async () => {
    const { impl, stats } = countingFetch();
    sim.control.setFault({ target: "yahoo", fault: "slow", latencyMs: 30 });
    const { source, events } = makeSource(60_000, impl);
    try {
      await source.start();
      assert.equal(sim.control.counters().yahooRequests >= 0, true);
      const before = events.length;
      assert.equal(before, 0);
      source.activate();
      const trades = await eventually(
        () => {
          const t = events.filter((e) => e.type === "trade");
          return t.length === SYMBOLS.length ? t : null;
        },
        "one price per symbol from the immediate poll",
        10_000,
      );
      assert.equal(events[0]!.type, "up", "up comes before the first price");
      for (const e of trades) {
        assert.ok(e.type === "trade");
        assert.equal(e.trade.source, "yahoo");
        assert.equal(e.trade.delayed, true);
      }
      assert.ok(stats.maxInFlight <= 4, `max in flight ${stats.maxInFlight}`);
      assert.ok(stats.maxInFlight >= 2, "requests do run concurrently");
      const h = source.health();
      assert.equal(h.healthy, true);
      assert.ok(h.lastSuccessAt !== null);
      assert.equal(h.consecutiveFailures, 0);
    } finally {
      sim.control.clearFaults("yahoo");
      await source.stop();
    }
  });

  test("429 → back-off grows and is reported; recovery resets it", async () => {
    const { source, events } = makeSource(50, undefined, { backoffBaseMs: 100, backoffMaxMs: 1_000 });
    sim.control.setFault({ target: "yahoo", fault: "429" });
    try {
      source.activate();
      const failures = await eventually(
        () => {
          const f = events.filter((e) => e.type === "failure");
          return f.length >= 3 ? f : null;
        },
        "three rate-limited cycles",
        10_000,
      );
      const reasons = failures.map((f) => (f.type === "failure" ? f.reason : ""));
      assert.match(reasons[0]!, /rate limited \(429\); backing off 0\.1s/);
      assert.match(reasons[1]!, /backing off 0\.2s/);
      assert.match(reasons[2]!, /backing off 0\.4s/);
      const h = source.health();
      assert.equal(h.healthy, false);
      assert.ok(h.consecutiveFailures >= 3);
      assert.ok(source.backoff().level >= 3);
      assert.match(h.lastError ?? "", /429/);
      sim.control.clearFaults("yahoo");
      const failuresBefore = events.filter((e) => e.type === "failure").length;
      await eventually(
        () => source.health().healthy && source.backoff().level === 0,
        "recovery, back-off reset",
        10_000,
      );
      assert.ok(failuresBefore <= events.filter((e) => e.type === "failure").length);
      assert.equal(source.health().lastError, null);
      assert.ok(events.some((e) => e.type === "up"));
    } finally {
      sim.control.clearFaults("yahoo");
      await source.stop();
    }
  });

  test("a whole cycle failing (down / malformed) is one failure event", async () => {
    const { source, events } = makeSource(60_000);
    sim.control.setFault({ target: "yahoo", fault: "down" });
    try {
      source.activate();
      await eventually(() => events.some((e) => e.type === "failure"), "failure event", 10_000);
      assert.equal(events.filter((e) => e.type === "failure").length, 1);
      assert.match(source.health().lastError ?? "", /HTTP 503/);
      assert.equal(events.filter((e) => e.type === "trade").length, 0);
    } finally {
      sim.control.clearFaults("yahoo");
      await source.stop();
    }
  });

  test("1m chart bars for backfill are marked delayed and carry source backfill", async () => {
    const client = new YahooClient({ baseUrl: sim.yahooBaseUrl, logger });
    const now = Date.now();
    const bars = await client.minuteBars("MSFT", now - 30 * 60_000, now);
    assert.ok(bars.length > 0);
    for (const b of bars) {
      assert.equal(b.source, "backfill");
      assert.equal(b.delayed, true);
      assert.equal(new Date(b.minute).getUTCSeconds(), 0);
    }
    assert.ok(YahooRateLimitedError.name.length > 0);
  });
});
