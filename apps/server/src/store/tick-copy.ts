import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { TICK_COLUMNS, encodeBinary, type BinaryBatch } from "./tick-binary";
import type { BulkInserter } from "./tick-insert";
import { sqlStateOf } from "./errors";

/**
 * PostgreSQL-only bulk path. A batch is sent as binary COPY straight into `ticks`: one statement,
 * one write of each row. COPY has no ON CONFLICT, so when the batch holds a row already stored
 * (a replay, a leader handover, a retry whose first attempt did commit) the COPY fails as a whole
 * with 23505 and that batch alone goes the idempotent way: COPY into a session temp table, then
 * INSERT … SELECT … ON CONFLICT DO NOTHING. Duplicates are rare, so almost every batch costs one
 * COPY instead of a COPY plus an INSERT.
 */
const UNIQUE_VIOLATION = "23505";
const COPY_TICKS = `COPY ticks (${TICK_COLUMNS}) FROM STDIN (FORMAT binary)`;
const COPY_STAGE = `COPY ticks_stage (${TICK_COLUMNS}) FROM STDIN (FORMAT binary)`;

export interface CopyOptions {
  /**
   * false: the writer's transactions commit without waiting for the WAL flush
   * (`SET LOCAL synchronous_commit = off`). See WRITER_SYNCHRONOUS_COMMIT in config.ts.
   */
  synchronousCommit: boolean;
}

/** Connections that already have the staging table (it lives as long as the session). */
const staged = new WeakSet<pg.PoolClient>();

/** Sends one COPY payload; resolves when the server has acknowledged the statement. */
function copyBuffer(client: pg.PoolClient, sql: string, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const stream = client.query(copyFrom(sql));
    stream.on("error", reject);
    stream.on("finish", () => resolve());
    stream.end(payload);
  });
}

const isUniqueViolation = (error: unknown) => sqlStateOf(error) === UNIQUE_VIOLATION;

/** Inserts the batch; returns how many rows were new. */
export async function copyTicks(pool: pg.Pool, batch: BinaryBatch, options: CopyOptions): Promise<number> {
  if (batch.rows === 0) return 0;
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client whose connection drops emits 'error'; unheard, that would crash the process.
  const onConnectionError = (error: Error) => {
    broken = error;
  };
  client.on("error", onConnectionError);
  const begin = options.synchronousCommit ? "BEGIN" : "BEGIN; SET LOCAL synchronous_commit = off";
  let inTransaction = false;
  try {
    try {
      if (options.synchronousCommit) {
        // One statement is its own transaction: no BEGIN/COMMIT round trips.
        await copyBuffer(client, COPY_TICKS, batch.buffer);
      } else {
        inTransaction = true;
        await client.query(begin);
        await copyBuffer(client, COPY_TICKS, batch.buffer);
        await client.query("COMMIT");
        inTransaction = false;
      }
      return batch.rows;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (inTransaction) {
        inTransaction = false;
        broken = await rollback(client);
        if (broken) throw broken;
      }
    }
    if (!staged.has(client)) {
      await client.query(`CREATE TEMP TABLE IF NOT EXISTS ticks_stage (LIKE ticks) ON COMMIT DELETE ROWS`);
      staged.add(client);
    }
    inTransaction = true;
    await client.query(begin);
    await copyBuffer(client, COPY_STAGE, batch.buffer);
    const result = await client.query(`INSERT INTO ticks SELECT * FROM ticks_stage ON CONFLICT DO NOTHING`);
    await client.query("COMMIT");
    inTransaction = false;
    return result.rowCount ?? 0;
  } catch (error) {
    // Failed below SQL (no SQLSTATE: a socket error or the client-side deadline): the connection is
    // in an unknown state, and after a deadline it may still carry the server's late answer to the
    // failed COPY, which pg would hand to the dead stream (an uncaught TypeError that killed the
    // process, found by `npm run bench -- outage`). No ROLLBACK on it — the wait for that is when
    // the late answer arrives; the server rolls back when the connection goes — and it is
    // destroyed below in this same turn, before any late byte can be read.
    if (sqlStateOf(error) === null) {
      broken ??= error instanceof Error ? error : new Error(String(error));
      inTransaction = false;
    }
    // A connection that cannot even roll back is in an unknown state too: destroy it, not pool it.
    if (inTransaction) broken ??= await rollback(client);
    throw error;
  } finally {
    client.off("error", onConnectionError);
    client.release(broken);
    if (broken) destroySocket(client);
  }
}

/** Closes the socket now (release(err) only ends it: the server's pending answers still arrive). */
function destroySocket(client: pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  try {
    await client.query("ROLLBACK");
    return undefined;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

export function copyInserter(pool: pg.Pool, options: CopyOptions): BulkInserter<BinaryBatch> {
  return { method: "copy", encode: encodeBinary, insert: (batch) => copyTicks(pool, batch, options) };
}
