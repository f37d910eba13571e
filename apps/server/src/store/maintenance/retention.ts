import type { Database } from "@torghut/db";
import { DEFAULT_LOCK_TIMEOUT_MS, listTickPartitions } from "./tick-partitions";
import { tradingDayAt, tradingDays } from "./trading-days";

/** Every bar table and the column holding its bucket's start; retention trims them alike. */
export const BAR_TABLES: readonly { table: string; start: string }[] = [
  { table: "bars_1m", start: "minute" },
  { table: "bars_5m", start: "bucket" },
  { table: "bars_1h", start: "bucket" },
  { table: "bars_1d", start: "bucket" },
];

export interface RetentionPolicy {
  /** Now, epoch ms (the injected clock). */
  nowMs: number;
  /** Ticks of the last N New York days (plus today) are kept; older day partitions are dropped. */
  tickRetentionDays: number;
  /** Bars older than N days are deleted; null keeps them for ever. */
  barRetentionDays: number | null;
  lockTimeoutMs?: number;
}

export interface RetentionResult {
  /** Partitions dropped, oldest first. */
  droppedPartitions: string[];
  /** Expired rows found in the default partition (ticks that had no day partition) and deleted. */
  deletedDefaultTicks: number;
  deletedBars: number;
}

/** First instant (ns) of the New York day `days` days before now's: everything before it expired. */
async function cutoffNs(database: Database, nowMs: number, days: number): Promise<bigint> {
  const day = await tradingDayAt(database, nowMs, -days);
  return (await tradingDays(database, day, day))[0]!.fromNs;
}

/**
 * Drops whole day partitions whose every tick is older than the retention (no DELETE, no vacuum),
 * then trims the default partition and, when BAR_RETENTION_DAYS is set, the bar tables. Dropping a
 * partition needs a brief ACCESS EXCLUSIVE lock on `ticks`; lock_timeout bounds how long the
 * writer's next batch can queue behind it: past it the drop gives up (retried next round).
 */
export async function applyRetention(database: Database, policy: RetentionPolicy): Promise<RetentionResult> {
  const lockTimeout = `${Math.max(1, Math.trunc(policy.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS))}ms`;
  const tickCutoff = await cutoffNs(database, policy.nowMs, policy.tickRetentionDays);
  const droppedPartitions: string[] = [];
  for (const partition of await listTickPartitions(database)) {
    if (partition.isDefault || partition.toNs === null || partition.toNs > tickCutoff) continue;
    await database.query(`DO $$
BEGIN
  PERFORM set_config('lock_timeout', '${lockTimeout}', true);
  DROP TABLE "${partition.name}";
END
$$`);
    droppedPartitions.push(partition.name);
  }
  const defaults = await database.query(`DELETE FROM ticks_default WHERE event_ns < $1::bigint`, [
    tickCutoff.toString(),
  ]);
  let deletedBars = 0;
  if (policy.barRetentionDays !== null) {
    const barCutoff = new Date(
      Number((await cutoffNs(database, policy.nowMs, policy.barRetentionDays)) / 1_000_000n),
    );
    for (const { table, start } of BAR_TABLES) {
      const deleted = await database.query(`DELETE FROM ${table} WHERE ${start} < $1`, [
        barCutoff.toISOString(),
      ]);
      deletedBars += deleted.rowCount;
    }
  }
  return { droppedPartitions, deletedDefaultTicks: defaults.rowCount, deletedBars };
}
