import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Trade } from "@torghut/contracts";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { eventTimeColumns, type BulkInserter, type PreparedBatch } from "./tick-insert";

/**
 * PostgreSQL-only bulk path: COPY the batch into a session temp table, then one
 * INSERT … SELECT … ON CONFLICT DO NOTHING, in one transaction. COPY parses rows faster than
 * json_to_recordset; the staging step keeps the idempotent natural-key semantics COPY lacks.
 */
const COLUMNS =
  "symbol, event_ns, source, trade_id, event_time, event_at, received_at, price, size, delayed, exchange, tape, conditions, suspicious";

/** Connections that already have the staging table (it lives as long as the session). */
const staged = new WeakSet<pg.PoolClient>();

export interface CopyBatch extends PreparedBatch {
  text: string;
}

/** COPY text format: backslash, tab, newline and carriage return escaped; `\N` is NULL. */
function copyField(value: string | null): string {
  if (value === null) return "\\N";
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
    : value;
}

/** NaN/Infinity become NULL so the NOT NULL constraint refuses the row, as on the JSON path. */
function copyNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : "\\N";
}

/** A text[] literal: every element double-quoted, with `"` and `\` backslash-escaped inside. */
function arrayLiteral(items: readonly string[]): string {
  return `{${items.map((item) => `"${item.replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

export function encodeCopy(trades: readonly Trade[]): CopyBatch {
  const lines: string[] = [];
  const invalid: Trade[] = [];
  for (const t of trades) {
    const time = eventTimeColumns(t.eventTime);
    if (time === null) {
      invalid.push(t);
      continue;
    }
    lines.push(
      `${copyField(t.symbol)}\t${time.nanos}\t${copyField(t.source)}\t${copyField(t.tradeId)}\t${copyField(t.eventTime)}\t` +
        `${time.at}\t${new Date(t.receivedAt).toISOString()}\t${copyNumber(t.price)}\t${copyNumber(t.size)}\t${t.delayed}\t` +
        `${copyField(t.exchange)}\t${copyField(t.tape)}\t${copyField(arrayLiteral(t.conditions))}\t${t.suspicious}\n`,
    );
  }
  return { text: lines.join(""), rows: lines.length, invalid };
}

/** Inserts through the staging table; returns how many rows were new. */
export async function copyTicks(pool: pg.Pool, batch: CopyBatch): Promise<number> {
  if (batch.rows === 0) return 0;
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client whose connection drops emits 'error'; unheard, that would crash the process.
  const onConnectionError = (error: Error) => {
    broken = error;
  };
  client.on("error", onConnectionError);
  try {
    if (!staged.has(client)) {
      await client.query(`CREATE TEMP TABLE IF NOT EXISTS ticks_stage (LIKE ticks) ON COMMIT DELETE ROWS`);
      staged.add(client);
    }
    await client.query("BEGIN");
    try {
      await pipeline(
        Readable.from([batch.text]),
        client.query(copyFrom(`COPY ticks_stage (${COLUMNS}) FROM STDIN`)),
      );
      const result = await client.query(`INSERT INTO ticks SELECT * FROM ticks_stage ON CONFLICT DO NOTHING`);
      await client.query("COMMIT");
      return result.rowCount ?? 0;
    } catch (error) {
      // A connection that cannot even roll back is in an unknown state: destroy it, not pool it.
      await client.query("ROLLBACK").catch((rollbackError: unknown) => {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    }
  } catch (error) {
    broken ??= staged.has(client) ? undefined : (error as Error);
    throw error;
  } finally {
    client.off("error", onConnectionError);
    client.release(broken);
  }
}

export function copyInserter(pool: pg.Pool): BulkInserter<CopyBatch> {
  return { method: "copy", encode: encodeCopy, insert: (batch) => copyTicks(pool, batch) };
}
