import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { BusMessage, RejectedTick, Trade } from "@torghut/contracts";
import { type Database, createDb } from "@torghut/db";
import { eventually } from "@torghut/testing";
import { makeSource, startSim } from "../../test/support/alpaca-sim-harness";
import { InProcessBus } from "../bus/in-process-bus";
import { BarAggregator } from "../store/bar-aggregator";
import { TickWriter } from "../store/tick-writer";
import { TradeValidator } from "../validation/trade-validator";
import { IngestPipeline } from "./ingest-pipeline";

describe("ingest pipeline: simulator → Alpaca client → validation → TickWriter + bars + bus (PGlite)", () => {
  let database: Database;
  before(async () => {
    database = await createDb({ inMemory: true });
  });
  after(async () => database.close());

  test("spikes are stored as suspicious and kept out of bars and the live price; future ticks are rejected", async () => {
    const sim = await startSim({ manualClock: true, tradesPerSecond: 300 });
    const source = makeSource(sim, { messageTimeoutMs: 0, channels: { quotes: true, bars: false } });
    const writer = new TickWriter(database, { flushIntervalMs: 10 });
    const bars = new BarAggregator(database);
    const rejected: RejectedTick[] = [];
    const validator = new TradeValidator({ confirmTicks: 1_000_000, futureToleranceSeconds: 300 });
    const bus = new InProcessBus({ replicaId: "pipeline-test" });
    const published: BusMessage[] = [];
    bus.subscribe(({ message }) => published.push(message));
    const fresh: string[] = [];
    const pipeline = new IngestPipeline({
      validator,
      writer,
      aggregator: bars,
      freshness: { trade: (t) => fresh.push(t.symbol) },
      bus,
      rejections: { record: (r) => rejected.push(r) },
    });
    pipeline.attach(source);
    try {
      await source.start();
      await eventually(() => source.health().healthy, "up");
      const pump = () => sim.control.advance(50);
      await eventually(() => pipeline.lastPrice("TSLA"), "a TSLA price", { pump });
      const calm = pipeline.lastPrice("TSLA")!;

      sim.control.setFault({ target: "alpaca", fault: "spike", symbol: "TSLA", percent: 25 });
      await eventually(() => pipeline.stats().suspicious >= 5, "suspicious spike ticks", { pump });
      assert.ok(Math.abs(pipeline.lastPrice("TSLA")! - calm) / calm < 0.2, "live price ignores the spike");
      const tslaBar = bars.currentBar("TSLA");
      assert.ok(tslaBar !== null && tslaBar.high < calm * 1.2, "the bar never saw the spike");
      const publishedTrades = published.flatMap((e) => (e.type === "trade" ? [e.trade] : []));
      assert.ok(
        publishedTrades.every((t: Trade) => !t.suspicious),
        "suspicious ticks are not broadcast",
      );
      assert.ok(
        published.some((e) => e.type === "quote"),
        "quotes are published",
      );
      assert.equal(fresh.length, publishedTrades.length, "freshness hears exactly the published trades");
      sim.control.clearFaults("alpaca");

      sim.control.setFault({ target: "alpaca", fault: "future-timestamps", seconds: 600 });
      await eventually(() => rejected.length >= 3, "rejected future ticks", { pump });
      assert.ok(rejected.every((r) => r.reason === "future_timestamp"));
      assert.ok(validator.failureRate() > 0);
      sim.control.clearFaults("alpaca");

      await writer.flush();
      const rows = await database.query<{ suspicious: boolean; n: string }>(
        "SELECT suspicious, count(*)::text AS n FROM ticks WHERE symbol = 'TSLA' GROUP BY suspicious",
      );
      const suspiciousRows = Number(rows.rows.find((r) => r.suspicious)?.n ?? 0);
      assert.ok(suspiciousRows >= 5, "suspicious ticks are stored for audit");
      const stats = pipeline.stats();
      assert.equal(stats.trades, stats.accepted + stats.suspicious + stats.rejected);
    } finally {
      await source.stop();
      await writer.close();
      await bars.close();
      await sim.close();
    }
  });
});
