import type { Trade } from "@torghut/contracts";
import type { Database } from "@torghut/db";
import { TickWriter } from "../../apps/server/src/store/tick-writer";

/**
 * Synthetic trading for the growth bench: `symbols` symbols trading through the regular session
 * (09:30–16:00 New York, 14:30–21:00 UTC in winter) of consecutive days from FIRST_DAY, written by
 * the real TickWriter (binary COPY on PostgreSQL), as a live feed would write them: day after day.
 */
export const FIRST_DAY_MS = Date.parse("2026-01-05T00:00:00Z");
const SESSION_OPEN_MS = 14.5 * 3_600_000;
const SESSION_MS = 6.5 * 3_600_000;

export const GROWTH_SYMBOLS = Array.from({ length: 30 }, (_, i) => `S${String(i).padStart(2, "0")}`);

/** Ticks `fromRow`..`toRow` of a fill where each day holds `perDay` ticks. */
export async function writeTicks(
  database: Database,
  fromRow: number,
  toRow: number,
  perDay: number,
  symbols: readonly string[],
): Promise<number> {
  const writer = new TickWriter(database, { batchRows: 5000 });
  const started = performance.now();
  const spacingNs = Math.floor((SESSION_MS * 1e6) / perDay);
  let isoSecond = -1;
  let isoText = "";
  let price = 100;
  for (let row = fromRow; row < toRow;) {
    if (writer.stats().queueDepth >= 200_000) {
      // Sleep rather than spin: a busy producer would take the CPU the database needs.
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    const end = Math.min(toRow, row + 5000);
    const now = Date.now();
    for (; row < end; row++) {
      const day = Math.floor(row / perDay);
      const offsetNs = (row % perDay) * spacingNs;
      const ms = FIRST_DAY_MS + day * 86_400_000 + SESSION_OPEN_MS + Math.floor(offsetNs / 1e6);
      const second = Math.floor(ms / 1000);
      if (second !== isoSecond) {
        isoSecond = second;
        isoText = new Date(second * 1000).toISOString().slice(0, 19);
      }
      const fraction = String((ms % 1000) * 1_000_000 + (offsetNs % 1_000_000)).padStart(9, "0");
      price = Math.max(1, price + (((row * 7919) % 11) - 5) * 0.01);
      const trade: Trade = {
        kind: "trade",
        symbol: symbols[row % symbols.length]!,
        eventTime: `${isoText}.${fraction}Z`,
        receivedAt: now,
        source: "alpaca",
        delayed: false,
        price: Math.round(price * 100) / 100,
        size: 1 + (row % 300),
        tradeId: String(row),
        exchange: "V",
        conditions: ["@"],
        tape: "C",
        suspicious: false,
      };
      writer.enqueue(trade);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.close();
  return performance.now() - started;
}

/** The day's New York bounds are what the partitions use; the fill only needs the UTC day index. */
export function dayStartNs(day: number): bigint {
  return BigInt(FIRST_DAY_MS + day * 86_400_000) * 1_000_000n;
}

/**
 * The layout before issue #20, as the baseline: one plain table with the original column order
 * (drizzle/0000 + 0001) and its four-column primary key.
 */
export async function useUnpartitionedTicks(database: Database): Promise<void> {
  await database.query(`DROP TABLE ticks`);
  await database.query(`CREATE TABLE ticks (
    symbol text NOT NULL, event_ns bigint NOT NULL, source text NOT NULL, trade_id text NOT NULL,
    event_time text, event_at timestamp(6) with time zone NOT NULL, received_at timestamp(3) with time zone NOT NULL,
    price double precision NOT NULL, size double precision NOT NULL, delayed boolean NOT NULL,
    exchange text, tape text, conditions text[] DEFAULT '{}'::text[] NOT NULL, suspicious boolean DEFAULT false NOT NULL,
    CONSTRAINT ticks_pkey PRIMARY KEY (symbol, event_ns, source, trade_id))`);
}

/**
 * One year (by default) of 1m bars for every symbol, regular session only, written in the order the live
 * aggregator writes them (minute by minute, every symbol): a symbol's week of bars lies scattered over
 * the heap as it does in production.
 */
export async function fillBars(
  database: Database,
  days: number,
  symbols: readonly string[],
): Promise<number> {
  const firstDay = new Date(FIRST_DAY_MS - days * 86_400_000).toISOString();
  const result = await database.query(
    `INSERT INTO bars_1m (symbol, minute, open, high, low, close, volume, vwap, trade_count, source, delayed)
     SELECT s, $2::timestamptz + d * interval '1 day' + interval '14 hours 30 minutes' + m * interval '1 minute',
            100 + m % 7, 101 + m % 7, 99 + m % 7, 100.5 + m % 7, 1000 + m, 100.2 + m % 7, 10 + m % 5, 'alpaca', false
       FROM unnest($1::text[]) AS s, generate_series(0, $3::int - 1) AS d, generate_series(0, 389) AS m
      ORDER BY d, m, s`,
    [symbols, firstDay, days],
  );
  return result.rowCount;
}
