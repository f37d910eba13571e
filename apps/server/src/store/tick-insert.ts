import type { Trade } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { eventTimeParts } from "./event-time";
import type { PreparedBatch } from "./prepared-batch";
import { TICK_COLUMNS } from "./tick-binary";

/**
 * The portable bulk insert: one JSON parameter expanded by json_to_recordset. No 65,535-parameter
 * limit, runs unchanged on PGlite, keeps ON CONFLICT for idempotent retries. On PostgreSQL the
 * writer prefers binary COPY (tick-copy.ts), measured faster in bench/store.ts.
 */
const INSERT_TICKS_SQL = `
INSERT INTO ticks (${TICK_COLUMNS})
SELECT r.s, r.n, r.src, r.id, r.t, r.at, to_timestamp(r.rcv / 1000.0), r.p, r.q, r.d, r.x, r.z, r.c, r.sus
FROM json_to_recordset($1::json) AS r(s text, n bigint, src text, id text, t text, at timestamptz,
                                      rcv bigint, p float8, q float8, d boolean, x text, z text,
                                      c text[], sus boolean)
ON CONFLICT DO NOTHING`;

/** A batch serialised for one bulk method. */
export type { PreparedBatch } from "./prepared-batch";

export interface EncodedBatch extends PreparedBatch {
  json: string;
}

/** One way of getting a batch into `ticks` idempotently; the writer picks one per driver. */
export interface BulkInserter<Batch extends PreparedBatch = PreparedBatch> {
  readonly method: "json" | "copy";
  encode(trades: readonly Trade[]): Batch;
  insert(batch: Batch): Promise<number>;
}

export function jsonInserter(database: Database): BulkInserter<EncodedBatch> {
  return { method: "json", encode: encodeTicks, insert: (batch) => insertEncodedTicks(database, batch) };
}

/**
 * Serialises trades for INSERT_TICKS_SQL; the event time keeps all nine fraction digits in `n`, and
 * the raw string goes to `event_time` only when `n` does not spell it back (see tick-binary.ts).
 */
export function encodeTicks(trades: readonly Trade[]): EncodedBatch {
  const parts: string[] = [];
  const invalid: Trade[] = [];
  for (const trade of trades) {
    const time = eventTimeColumns(trade.eventTime);
    if (time === null) {
      invalid.push(trade);
      continue;
    }
    // Built by hand: about three times faster than JSON.stringify on an object, and this runs for
    // every tick. Strings still go through JSON.stringify for escaping.
    parts.push(
      `{"s":${JSON.stringify(trade.symbol)},"n":"${time.nanos}","src":"${trade.source}","id":${JSON.stringify(trade.tradeId)},` +
        `"t":${time.canonical ? "null" : JSON.stringify(trade.eventTime)},"at":"${time.at}","rcv":${trade.receivedAt},"p":${jsonNumber(trade.price)},` +
        `"q":${jsonNumber(trade.size)},"d":${trade.delayed},"x":${JSON.stringify(trade.exchange)},"z":${JSON.stringify(trade.tape)},` +
        `"c":${JSON.stringify(trade.conditions)},"sus":${trade.suspicious}}`,
    );
  }
  return { json: `[${parts.join(",")}]`, invalid, rows: parts.length };
}

/** NaN and ±Infinity are not JSON: send null and let the NOT NULL constraint refuse that row alone. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}

let isoSecond = { seconds: Number.NaN, text: "" };

/**
 * `nanos` (as decimal text, for the bigint column), `at` (microseconds, truncated, for the
 * timestamptz column) and whether `nanosToRfc3339(nanos)` gives the string back, from the same
 * parse the binary COPY path uses. Consecutive ticks share their second, so its ISO text is cached.
 */
export function eventTimeColumns(
  eventTime: string,
): { nanos: string; at: string; canonical: boolean } | null {
  const time = eventTimeParts(eventTime);
  if (time === null) return null;
  const fraction = String(time.nanos).padStart(9, "0");
  if (time.seconds !== isoSecond.seconds) {
    isoSecond = { seconds: time.seconds, text: new Date(time.seconds * 1000).toISOString().slice(0, 19) };
  }
  const nanos =
    time.seconds > 0
      ? `${time.seconds}${fraction}`
      : (BigInt(time.seconds) * 1_000_000_000n + BigInt(time.nanos)).toString();
  return { nanos, at: `${isoSecond.text}.${fraction.slice(0, 6)}Z`, canonical: time.canonical };
}

/** Inserts a batch; returns how many rows were new (duplicates of committed rows count 0). */
export async function insertEncodedTicks(database: Database, batch: EncodedBatch): Promise<number> {
  if (batch.rows === 0) return 0;
  const result = await database.query(INSERT_TICKS_SQL, [batch.json]);
  return result.rowCount;
}

export function insertTicks(database: Database, trades: readonly Trade[]): Promise<number> {
  return insertEncodedTicks(database, encodeTicks(trades));
}
