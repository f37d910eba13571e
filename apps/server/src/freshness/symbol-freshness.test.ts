import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { SourceName, Trade } from "@torghut/contracts";
import { ManualClock } from "../clock";
import { SymbolFreshnessTracker } from "./symbol-freshness";

function trade(symbol: string, receivedAt: number, source: SourceName = "alpaca"): Trade {
  return {
    kind: "trade",
    symbol,
    eventTime: new Date(receivedAt - 5).toISOString(),
    receivedAt,
    source,
    delayed: source === "yahoo",
    price: 100,
    size: 1,
    tradeId: String(receivedAt),
    exchange: null,
    conditions: [],
    tape: null,
    suspicious: false,
  };
}

function setup(open = { value: true }) {
  const clock = new ManualClock();
  const tracker = new SymbolFreshnessTracker(
    () => ["AAPL", "MSFT", "ZZZ"],
    clock,
    { staleFactor: 10, minStaleMs: 2_000 },
    () => open.value,
  );
  /** Every symbol but the silent ones trades every `gap` ms for `ms`. */
  const run = (ms: number, gap: number, silent: string[] = []) => {
    for (let t = 0; t < ms; t += gap) {
      clock.advance(gap);
      for (const s of ["AAPL", "MSFT"]) if (!silent.includes(s)) tracker.trade(trade(s, clock.now()));
    }
  };
  const row = (symbol: string) => tracker.view().find((r) => r.symbol === symbol)!;
  return { clock, tracker, run, row, open };
}

describe("per-symbol staleness", () => {
  test("a symbol silent far beyond its own rate while others trade is stale, with why", () => {
    const { run, row } = setup();
    run(10_000, 100);
    assert.equal(row("AAPL").stale, false);
    run(1_900, 100, ["AAPL"]);
    assert.equal(row("AAPL").stale, false, "within the floor (SYMBOL_STALE_MIN_SECONDS)");
    run(200, 100, ["AAPL"]);
    const aapl = row("AAPL");
    assert.equal(aapl.stale, true);
    assert.equal(aapl.staleReason, "quiet");
    assert.match(
      aapl.staleDetail ?? "",
      /^no trade for 2\.\d s \(usual gap 0\.1 s\) while 1 other symbol\(s\) trade$/,
    );
    assert.ok(aapl.lastTradeAt !== null && aapl.source === "alpaca");
  });

  test("an illiquid symbol's own slow rhythm is not staleness", () => {
    const { clock, tracker, run, row } = setup();
    for (let i = 0; i < 20; i++) {
      run(5_000, 100, ["AAPL"]);
      tracker.trade(trade("AAPL", clock.now()));
    }
    run(20_000, 100, ["AAPL"]);
    assert.equal(row("AAPL").stale, false, "20 s of silence is its usual 5 s × less than 10");
  });

  test("nobody trading is the feed's problem (the router's), not the symbol's; a closed market marks nothing", () => {
    const { clock, run, row, open } = setup();
    run(5_000, 100);
    clock.advance(60_000);
    assert.equal(row("AAPL").stale, false);
    run(5_000, 100, ["AAPL"]);
    open.value = false;
    assert.equal(row("AAPL").stale, false);
    open.value = true;
    assert.equal(row("AAPL").stale, true);
    assert.equal(row("ZZZ").stale, true, "never traded while others do");
    assert.equal(row("ZZZ").lastTradeAt, null);
  });

  test("an upstream halt marks the symbol at once; its next trade clears it", () => {
    const { clock, tracker, run, row } = setup();
    run(3_000, 100);
    tracker.tradingStatus("MSFT", true, "MSFT trading status H Trading Halt");
    assert.deepEqual([row("MSFT").stale, row("MSFT").staleReason], [true, "halted"]);
    tracker.trade(trade("MSFT", clock.now()));
    assert.equal(row("MSFT").stale, false);
  });

  test("a new source starts a new rhythm (Yahoo polls slowly)", () => {
    const { clock, tracker, run, row } = setup();
    run(5_000, 100);
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      tracker.trade(trade("AAPL", clock.now(), "yahoo"));
      tracker.trade(trade("MSFT", clock.now(), "yahoo"));
    }
    clock.advance(1_500);
    tracker.trade(trade("MSFT", clock.now(), "yahoo"));
    assert.equal(row("AAPL").stale, false, "1.5 s is nothing for a 1 s rhythm (floor 2 s)");
  });
});

test("after a switch, a row whose last price came from the old source is stale once the floor passes", () => {
  const clock = new ManualClock();
  let active: SourceName | null = "alpaca";
  const tracker = new SymbolFreshnessTracker(
    () => ["AAPL", "MSFT"],
    clock,
    { staleFactor: 10, minStaleMs: 2_000 },
    () => true,
    () => active,
  );
  tracker.trade(trade("AAPL", clock.now()));
  tracker.trade(trade("MSFT", clock.now()));
  active = "yahoo";
  clock.advance(1_000);
  tracker.trade(trade("MSFT", clock.now(), "yahoo"));
  assert.equal(tracker.view()[0]!.stale, false, "within the floor");
  clock.advance(1_500);
  const aapl = tracker.view()[0]!;
  assert.deepEqual([aapl.stale, aapl.staleReason], [true, "quiet"]);
  assert.match(aapl.staleDetail ?? "", /^no yahoo price yet; the last came from alpaca 2\.5 s ago$/);
});

test("a halt does not teach the symbol a slow rhythm: the next halt is seen as quickly", () => {
  const clock = new ManualClock();
  const tracker = new SymbolFreshnessTracker(
    () => ["AAPL", "MSFT"],
    clock,
    { staleFactor: 20, minStaleMs: 1_000 },
    () => true,
  );
  const both = (ms: number, silent = false) => {
    for (let t = 0; t < ms; t += 20) {
      clock.advance(20);
      tracker.trade(trade("MSFT", clock.now()));
      if (!silent) tracker.trade(trade("AAPL", clock.now()));
    }
  };
  const detectAfter = () => {
    let waited = 0;
    while (!tracker.view()[0]!.stale) {
      both(20, true);
      waited += 20;
    }
    return waited;
  };
  both(2_000);
  const first = detectAfter();
  both(60); // resumes briefly: three trades
  const second = detectAfter();
  assert.ok(first <= 1_100, `first halt seen after ${first} ms`);
  assert.ok(second <= 1_100, `second halt seen after ${second} ms (a learnt 1 s gap would make it 20 s)`);
});
