import type { Bar1m } from "@torghut/contracts";
import type { Database, Queryable } from "@torghut/db";
import { barValues, type StoredBarValues } from "./bar-row";
import { refreshRollups } from "./rollups";

/**
 * One-minute bars: writes (every one refreshes the rollups) and reads. Raw SQL through
 * `Database.query` so both drivers behave the same.
 */

const BAR_COLUMNS = `symbol, minute, open, high, low, close, volume, vwap, trade_count, source, delayed`;

interface BarRow extends StoredBarValues {
  symbol: string;
  minute: Date;
}

function toBar(row: BarRow): Bar1m {
  return { symbol: row.symbol, minute: new Date(row.minute).toISOString(), ...barValues(row) };
}

/**
 * Writes whole bars; a bar already stored for (symbol, minute) is replaced by the newer aggregate.
 * The 5m, 1h and 1d rollups holding them are refreshed in the same transaction
 * (store/bars/rollups.ts): every 1m write (a closing bar, a late trade, a backfill) goes through here,
 * and either all four tables change or none does (the caller retries the whole write).
 */
export async function upsertBars(database: Database, bars: readonly Bar1m[]): Promise<void> {
  if (bars.length === 0) return;
  await database.transaction(async (tx) => {
    await writeMinuteBars(tx, bars);
    await refreshRollups(tx, bars);
  });
}

async function writeMinuteBars(database: Queryable, bars: readonly Bar1m[]): Promise<void> {
  await database.query(
    `INSERT INTO bars_1m (${BAR_COLUMNS}, updated_at)
     SELECT r.symbol, r.minute, r.open, r.high, r.low, r.close, r.volume, r.vwap, r."tradeCount", r.source, r.delayed, now()
     FROM json_to_recordset($1::json) AS r(symbol text, minute timestamptz, open float8, high float8, low float8,
          close float8, volume float8, vwap float8, "tradeCount" int, source text, delayed boolean)
     ON CONFLICT (symbol, minute) DO UPDATE SET
       open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
       volume = EXCLUDED.volume, vwap = EXCLUDED.vwap, trade_count = EXCLUDED.trade_count,
       source = EXCLUDED.source, delayed = EXCLUDED.delayed, updated_at = now()`,
    [JSON.stringify(bars)],
  );
}

/** Bars of one symbol with fromMs <= minute < toMs, oldest first. */
export async function queryBars(
  database: Database,
  symbol: string,
  fromMs: number,
  toMs: number,
  limit = 10_000,
): Promise<Bar1m[]> {
  const result = await database.query<BarRow>(
    `SELECT ${BAR_COLUMNS} FROM bars_1m
     WHERE symbol = $1 AND minute >= $2 AND minute < $3 ORDER BY minute LIMIT $4`,
    [symbol, new Date(fromMs).toISOString(), new Date(toMs).toISOString(), limit],
  );
  return result.rows.map(toBar);
}

/**
 * Recomputes the 1-minute bars of one symbol from the stored ticks (suspicious ones excluded) and
 * upserts them: the repair path for minutes the in-memory aggregator could not finish (a restart
 * mid-minute, a trade later than its merge window). Minutes are exact UTC, from event_ns.
 */
export async function rebuildBarsFromTicks(
  database: Database,
  symbol: string,
  fromMs: number,
  toMs: number,
): Promise<Bar1m[]> {
  const result = await database.query<BarRow>(
    `SELECT symbol, to_timestamp((event_ns / 60000000000) * 60) AS minute,
            (array_agg(price ORDER BY event_ns, source, trade_id))[1] AS open, max(price) AS high, min(price) AS low,
            (array_agg(price ORDER BY event_ns DESC, source DESC, trade_id DESC))[1] AS close,
            sum(size) AS volume, sum(price * size) / nullif(sum(size), 0) AS vwap, count(*)::int AS trade_count,
            (array_agg(source ORDER BY event_ns DESC, source DESC, trade_id DESC))[1] AS source, bool_or(delayed) AS delayed
     FROM ticks
     WHERE symbol = $1 AND event_ns >= $2::bigint AND event_ns < $3::bigint AND NOT suspicious
     GROUP BY symbol, event_ns / 60000000000 ORDER BY 2`,
    [symbol, (BigInt(fromMs) * 1_000_000n).toString(), (BigInt(toMs) * 1_000_000n).toString()],
  );
  const bars = result.rows.map(toBar);
  await upsertBars(database, bars);
  return bars;
}
