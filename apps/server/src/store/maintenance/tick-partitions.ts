import type { Database } from "@torghut/db";
import { partitionName, tradingDayAt, tradingDays, type TradingDay } from "./trading-days";

export interface TickPartition {
  name: string;
  /** null: MINVALUE (the converted pre-partitioning table) or the default partition. */
  fromNs: bigint | null;
  /** null: MAXVALUE or the default partition. */
  toNs: bigint | null;
  isDefault: boolean;
}

/** How long DDL waits for a lock the writer holds before giving up until the next round. */
export const DEFAULT_LOCK_TIMEOUT_MS = 500;

/** The partitions of `ticks`, ordered by their lower bound (the default partition last). */
export async function listTickPartitions(database: Database): Promise<TickPartition[]> {
  const result = await database.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'ticks'::regclass`,
  );
  const partitions = result.rows.map((row) => parseBound(row.name, row.bound));
  return partitions.sort((a, b) => {
    if (a.isDefault !== b.isDefault) return a.isDefault ? 1 : -1;
    if (a.fromNs === b.fromNs) return 0;
    if (a.fromNs === null) return -1;
    if (b.fromNs === null) return 1;
    return a.fromNs < b.fromNs ? -1 : 1;
  });
}

const RANGE_BOUND = /FROM \('?(-?\d+|MINVALUE)'?\) TO \('?(-?\d+|MAXVALUE)'?\)/;

function parseBound(name: string, bound: string): TickPartition {
  if (bound === "DEFAULT") return { name, fromNs: null, toNs: null, isDefault: true };
  const match = RANGE_BOUND.exec(bound);
  if (!match) throw new Error(`unexpected partition bound of ${name}: ${bound}`);
  const [, from, to] = match;
  return {
    name,
    fromNs: from === "MINVALUE" ? null : BigInt(from!),
    toNs: to === "MAXVALUE" ? null : BigInt(to!),
    isDefault: false,
  };
}

function overlaps(partition: TickPartition, day: TradingDay): boolean {
  if (partition.isDefault) return false;
  const startsBeforeEnd = partition.fromNs === null || partition.fromNs < day.toNs;
  const endsAfterStart = partition.toNs === null || partition.toNs > day.fromNs;
  return startsBeforeEnd && endsAfterStart;
}

export interface EnsurePartitionsOptions {
  /** Now, epoch ms (the injected clock). */
  nowMs: number;
  /** Partitions exist from today's New York day to this many days ahead. */
  daysAhead: number;
  /** Also from this many days back (a backfill of recent days then lands in its own partition). */
  daysBack?: number;
  lockTimeoutMs?: number;
}

/**
 * Creates the missing day partitions from `daysBack` days ago to `daysAhead` days ahead, and returns
 * the names created. Rows that already landed in the default partition for such a day are moved
 * into the new partition in the same transaction, so attaching it never fails on them and no row
 * is lost. The partition is built detached and attached afterwards: ATTACH takes only a SHARE
 * UPDATE EXCLUSIVE lock on `ticks`, which the writer's inserts do not conflict with.
 */
export async function ensureTickPartitions(
  database: Database,
  options: EnsurePartitionsOptions,
): Promise<string[]> {
  const first = await tradingDayAt(database, options.nowMs, -(options.daysBack ?? 0));
  const last = await tradingDayAt(database, options.nowMs, options.daysAhead);
  const existing = await listTickPartitions(database);
  const created: string[] = [];
  for (const day of await tradingDays(database, first, last)) {
    if (existing.some((partition) => overlaps(partition, day))) continue;
    await createDayPartition(database, day, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    created.push(partitionName(day.day));
  }
  return created;
}

/** One DO block, so the create, the move out of the default partition and the attach are atomic. */
async function createDayPartition(database: Database, day: TradingDay, lockTimeoutMs: number): Promise<void> {
  const name = partitionName(day.day);
  const from = day.fromNs.toString();
  const to = day.toNs.toString();
  await database.query(`DO $$
BEGIN
  PERFORM set_config('lock_timeout', '${Math.max(1, Math.trunc(lockTimeoutMs))}ms', true);
  CREATE TABLE "${name}" (LIKE ticks INCLUDING DEFAULTS);
  WITH moved AS (DELETE FROM ticks_default WHERE event_ns >= ${from} AND event_ns < ${to} RETURNING *)
    INSERT INTO "${name}" SELECT * FROM moved;
  ALTER TABLE ticks ATTACH PARTITION "${name}" FOR VALUES FROM (${from}) TO (${to});
END
$$`);
}
