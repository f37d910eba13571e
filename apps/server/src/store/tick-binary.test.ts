import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { nanosToRfc3339, rfc3339ToNanos, type Trade } from "@torghut/contracts";
import { DEFAULT_MIGRATIONS_FOLDER } from "@torghut/db";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { TICK_COLUMNS, encodeBinary } from "./tick-binary";
import { encodeTicks } from "./tick-insert";

/** Trades that exercise every column and every encoding branch. */
function edgeTrades(): Trade[] {
  const [a, b, c, d, e, f] = sampleTrades(6, 0, ["AAPL"]);
  return [
    a!,
    { ...b!, eventTime: "2026-01-05T10:00:00.000000901-05:00", exchange: null, tape: null, conditions: [] },
    {
      ...c!,
      symbol: "BRK.B",
      eventTime: "2026-01-05T15:00:00.1Z",
      conditions: ['"q"', "a\\b", "x,y", "{}", " "],
    },
    { ...d!, symbol: "ÄÖ€😀", tradeId: "ünï\tcode\n", source: "yahoo", delayed: true, suspicious: true },
    // Far from 2^53: the int8 split must stay exact.
    { ...e!, eventTime: "2262-04-11T23:47:16.854775807Z", price: 1e-300, size: 1.7976931348623157e308 },
    { ...f!, eventTime: "2001-09-09T01:46:40.000000000Z", receivedAt: 1_000_000_000_123 },
  ];
}

const SELECT = `SELECT ${TICK_COLUMNS}, event_ns::text AS ns FROM ticks ORDER BY trade_id`;

describe("encodeBinary against PGlite", () => {
  let pg: PGlite;
  before(async () => {
    pg = await PGlite.create();
    const folder = DEFAULT_MIGRATIONS_FOLDER;
    for (const file of readdirSync(folder)
      .filter((name) => name.endsWith(".sql"))
      .sort())
      await pg.exec(readFileSync(join(folder, file), "utf8").replaceAll("--> statement-breakpoint", ""));
  });
  after(() => pg.close());
  beforeEach(() => pg.exec("TRUNCATE ticks"));

  const copy = (buffer: Buffer) =>
    pg.query(`COPY ticks (${TICK_COLUMNS}) FROM '/dev/blob' (FORMAT binary)`, [], {
      blob: new Blob([new Uint8Array(buffer)]),
    });

  test("stores exactly the rows the JSON insert stores", async () => {
    const trades = edgeTrades();
    const json = encodeTicks(trades);
    await pg.query(
      `INSERT INTO ticks (${TICK_COLUMNS})
       SELECT r.s, r.n, r.src, r.id, r.t, r.at, to_timestamp(r.rcv / 1000.0), r.p, r.q, r.d, r.x, r.z, r.c, r.sus
       FROM json_to_recordset($1::json) AS r(s text, n bigint, src text, id text, t text, at timestamptz,
            rcv bigint, p float8, q float8, d boolean, x text, z text, c text[], sus boolean)`,
      [json.json],
    );
    const viaJson = (await pg.query(SELECT)).rows;
    await pg.exec("TRUNCATE ticks");

    const batch = encodeBinary(trades);
    assert.equal(batch.rows, trades.length);
    assert.equal((await copy(batch.buffer)).affectedRows, trades.length);
    const viaCopy = (await pg.query<{ ns: string; event_time: string | null }>(SELECT)).rows;
    assert.deepEqual(viaCopy, viaJson);
    const byId = new Map(trades.map((t) => [t.tradeId, t]));
    for (const row of viaCopy as unknown as { trade_id: string; ns: string; event_time: string | null }[]) {
      const trade = byId.get(row.trade_id)!;
      assert.equal(row.ns, rfc3339ToNanos(trade.eventTime)!.toString());
      // The raw string is either stored or rebuilt, never changed.
      assert.equal(row.event_time ?? nanosToRfc3339(BigInt(row.ns)), trade.eventTime);
    }
  });

  test("a large batch (buffer growth) round-trips every row", async () => {
    const trades = sampleTrades(20_000);
    const batch = encodeBinary(trades);
    assert.equal((await copy(batch.buffer)).affectedRows, 20_000);
    const rows = await pg.query<{ n: number; ns: string }>(
      `SELECT count(*)::int AS n, sum(event_ns)::text AS ns FROM ticks`,
    );
    const expected = trades.reduce((sum, t) => sum + rfc3339ToNanos(t.eventTime)!, 0n);
    assert.deepEqual(rows.rows[0], { n: 20_000, ns: expected.toString() });
  });

  test("leaves out times it cannot key and sends NaN as NULL so the row is refused", async () => {
    const [good, bad, nan] = sampleTrades(3);
    const batch = encodeBinary([good!, { ...bad!, eventTime: "not a time" }]);
    assert.deepEqual([batch.rows, batch.invalid.length], [1, 1]);
    await assert.rejects(copy(encodeBinary([{ ...nan!, price: Number.NaN }]).buffer), /null value/);
  });
});
