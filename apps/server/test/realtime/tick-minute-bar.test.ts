import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { liveTradeSchema, minuteStart, rfc3339ToNanos, type LiveTrade } from "@torghut/contracts";
import { eventually } from "@torghut/testing";
import { TestClient } from "../support/realtime";
import { startLiveServer, type LiveServer } from "../support/live-server";

/** The minute a tick's bar is of: the trade's own (ms), or undefined when it carries none. */
const minuteOf = (t: LiveTrade): number | undefined =>
  t.minuteBar === undefined ? undefined : minuteStart(Date.parse(t.eventTime));

interface StoredMinute {
  trades: number;
  high: number;
  low: number;
  volume: number;
}

// The simulator trades each symbol ~50 times a second; the hub sends a channel at most 20 updates a
// second (latest value). The ticks a client misses must still reach its day range and volume: each
// tick carries its minute's bar so far, checked here against the trades the server stored.
describe("a tick carries its minute so far", () => {
  let live: LiveServer;
  before(async () => {
    live = await startLiveServer();
  });
  after(async () => live.close());

  test("the last tick a client got of a minute brings every stored trade of it until then", async () => {
    const client = await TestClient.connect(`${live.url.replace("http", "ws")}/ws`, {
      token: await live.token("minute-bar"),
    });
    let ticks: LiveTrade[] = [];
    try {
      await client.subscribe(["lines:AAPL"]);
      // Enough ticks of one minute that the throttle has held some back.
      ticks = await eventually(
        () => {
          const parsed = client.of("tick").map((m) => liveTradeSchema.parse(m.data));
          const counts = new Map<number, number>();
          for (const t of parsed) {
            const minute = minuteOf(t);
            if (minute !== undefined) counts.set(minute, (counts.get(minute) ?? 0) + 1);
          }
          return [...counts.values()].some((n) => n >= 15) ? parsed : null;
        },
        "15 ticks of one minute",
        20_000,
      );
    } finally {
      client.close();
    }
    const minute = [...new Set(ticks.map(minuteOf))]
      .filter((m) => m !== undefined)
      .find((m) => ticks.filter((t) => minuteOf(t) === m).length >= 15)!;
    const ofMinute = ticks.filter((t) => minuteOf(t) === minute);
    const last = ofMinute.at(-1)!;
    const bar = last.minuteBar!;
    assert.ok(
      ofMinute.length < bar.tradeCount,
      `the client got ${ofMinute.length} ticks of ${bar.tradeCount} trades: none were held back`,
    );

    const from = BigInt(minute) * 1_000_000n;
    const until = rfc3339ToNanos(last.eventTime)!;
    const stored = await eventually(
      async () => {
        const { rows } = await live.torghut.database.query<StoredMinute>(
          `SELECT count(*)::int AS trades, max(price) AS high, min(price) AS low, sum(size)::float8 AS volume
             FROM ticks
            WHERE symbol = 'AAPL' AND NOT suspicious AND event_ns >= $1 AND event_ns <= $2`,
          [from.toString(), until.toString()],
        );
        const row = rows[0]!;
        return Number(row.trades) >= bar.tradeCount ? row : null;
      },
      "the minute's trades stored",
      20_000,
    );
    assert.deepEqual(
      { trades: bar.tradeCount, high: bar.high, low: bar.low, volume: bar.volume },
      {
        trades: Number(stored.trades),
        high: Number(stored.high),
        low: Number(stored.low),
        volume: Number(stored.volume),
      },
    );
    assert.equal(bar.close, last.price, "the newest trade closes the minute so far");
    // The high is the minute's, not the ticks': a price the client never saw still counts.
    assert.ok(bar.high >= Math.max(...ofMinute.map((t) => t.price)));
  });
});
