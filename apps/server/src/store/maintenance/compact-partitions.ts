import type { Database } from "@torghut/db";
import { listTickPartitions } from "./tick-partitions";

/**
 * While a day is live, ticks arrive in time order within each symbol, so each symbol's rightmost
 * leaf of the primary-key index splits in half and the left half is never filled again: the index
 * of a live day is about half empty (≈ 88 B per tick, measured in bench/growth.ts). Once the day is
 * over its partition takes no more writes (a late tick still can, at the cost of one page split), so
 * the index is rebuilt packed: fillfactor 100, ≈ 50 B per tick. The fillfactor is also the marker
 * of a compacted day.
 */
const COMPACTED = "fillfactor=100";

export interface CompactOptions {
  nowMs: number;
  /** At most this many days per round, oldest first, so one round stays short. */
  maxPartitions?: number;
}

interface IndexRow {
  index: string;
  options: string[] | null;
}

async function primaryKeyIndex(database: Database, partition: string): Promise<IndexRow | null> {
  const result = await database.query<IndexRow>(
    `SELECT c.relname AS index, c.reloptions AS options
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [`"${partition}"`],
  );
  return result.rows[0] ?? null;
}

/** Rebuilds the primary-key index of finished days not yet compacted; returns the partitions done. */
export async function compactClosedPartitions(
  database: Database,
  options: CompactOptions,
): Promise<string[]> {
  const nowNs = BigInt(Math.trunc(options.nowMs)) * 1_000_000n;
  const done: string[] = [];
  for (const partition of await listTickPartitions(database)) {
    if (done.length >= (options.maxPartitions ?? 1)) break;
    if (partition.isDefault || partition.toNs === null || partition.toNs > nowNs) continue;
    const index = await primaryKeyIndex(database, partition.name);
    if (index === null || (index.options ?? []).includes(COMPACTED)) continue;
    await rebuildPacked(database, index.index);
    done.push(partition.name);
  }
  return done;
}

async function rebuildPacked(database: Database, index: string): Promise<void> {
  const pool = database.pool;
  if (pool === null) {
    // PGlite: one connection, nothing else to block.
    await database.query(`ALTER INDEX "${index}" SET (fillfactor = 100)`);
    await database.query(`REINDEX INDEX "${index}"`);
    return;
  }
  // PostgreSQL: CONCURRENTLY keeps the partition readable and writable (a late tick) throughout, and
  // a day's index can take longer than the pool's statement deadline, so on a connection of its own.
  const client = await pool.connect();
  try {
    await client.query(`SET statement_timeout = 0`);
    await client.query(`ALTER INDEX "${index}" SET (fillfactor = 100)`);
    await client.query(`REINDEX INDEX CONCURRENTLY "${index}"`);
    await client.query(`RESET statement_timeout`);
    client.release();
  } catch (error) {
    // A connection left in an unknown state is not returned to the pool; the day is tried again.
    client.release(error instanceof Error ? error : true);
    await pool.query(`ALTER INDEX "${index}" RESET (fillfactor)`).catch(() => undefined);
    throw error;
  }
}
