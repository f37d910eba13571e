import type { Bar1m } from "@torghut/contracts";
import { createDb, seedSymbols, type Database } from "@torghut/db";
import type { Logger } from "../logger";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import { BarAggregator } from "../store/bar-aggregator";
import { StorageMaintenance } from "../store/maintenance/storage-maintenance";
import { RejectionRecorder } from "../store/rejection-recorder";
import { TickWriter } from "../store/tick-writer";
import { FileSpool } from "../spool/file-spool";
import { join } from "node:path";

export interface Storage {
  database: Database;
  writer: TickWriter;
  aggregator: BarAggregator;
  rejections: RejectionRecorder;
  /** Partitions ahead and retention; the ingest leader starts it with its term (compose/ingest.ts). */
  maintenance: StorageMaintenance;
  /** The writer's local spool; null with SPOOL_MAX_BYTES=0. */
  spool: FileSpool | null;
  /** Bars as they close (and again when a late trade changes one): the hub's analytics channel. */
  onBar(listener: (bar: Bar1m) => void): void;
  close(): Promise<void>;
  /** The shutdown deadline passed (or a second SIGTERM): the writer spools what is left, at once. */
  forceClose(): void;
}

/** SPOOL_DIR, or `spool` under DATA_DIR; null when SPOOL_MAX_BYTES is 0. */
export function openSpool(config: ServerConfig, logger: Logger): FileSpool | null {
  if (config.SPOOL_MAX_BYTES === 0) return null;
  return new FileSpool({
    dir: config.SPOOL_DIR ?? join(config.DATA_DIR, "spool"),
    maxBytes: config.SPOOL_MAX_BYTES,
    fsync: config.SPOOL_FSYNC,
    fsyncIntervalMs: config.SPOOL_FSYNC_INTERVAL_MS,
    logger: logger.child({ component: "spool" }),
  });
}

/** PostgreSQL when DATABASE_URL is set, PGlite under DATA_DIR otherwise; migrated and seeded. */
export async function openDatabase(config: ServerConfig, logger: Logger): Promise<Database> {
  const database = await createDb({
    ...(config.DATABASE_URL !== undefined ? { url: config.DATABASE_URL } : { dataDir: config.DATA_DIR }),
    poolMax: config.DATABASE_POOL_MAX,
    deadlines: {
      statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
      queryTimeoutMs: config.DATABASE_QUERY_TIMEOUT_MS,
      connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      keepAliveIdleMs: config.DATABASE_KEEPALIVE_IDLE_MS,
    },
  });
  await seedSymbols(database, config.symbols);
  logger.info(
    { driver: database.driver, symbols: config.symbols.length },
    database.driver === "pglite" ? `storage: embedded PGlite in ${config.DATA_DIR}` : "storage: PostgreSQL",
  );
  return database;
}

/** The database plus the ingest side's writers: ticks, 1-minute bars and rejected ticks. */
export async function createStorage(config: ServerConfig, logger: Logger, clock: Clock): Promise<Storage> {
  const database = await openDatabase(config, logger);
  const barListeners: ((bar: Bar1m) => void)[] = [];
  const spool = openSpool(config, logger);
  const rejections = new RejectionRecorder(database, clock, logger.child({ component: "rejections" }));
  const writer = new TickWriter(
    database,
    {
      flushIntervalMs: config.WRITER_FLUSH_INTERVAL_MS,
      batchRows: config.WRITER_BATCH_ROWS,
      bufferMaxTicks: config.WRITER_BUFFER_MAX_TICKS,
      synchronousCommit: config.WRITER_SYNCHRONOUS_COMMIT,
      spool,
      spoolAfterMs: config.SPOOL_AFTER_MS,
      spoolHighWaterTicks: Math.floor(config.WRITER_BUFFER_MAX_TICKS / 2),
      logger: logger.child({ component: "tick-writer" }),
      // A tick the database refuses for its content is kept as a rejection with the database's reason.
      onRefused: (trade, reason, detail) =>
        rejections.record({ trade, reason, detail, rejectedAt: clock.now() }),
    },
    clock,
  );
  const aggregator = new BarAggregator(
    database,
    { logger: logger.child({ component: "bars" }), onBar: (bar) => barListeners.forEach((l) => l(bar)) },
    clock,
  );
  const maintenance = new StorageMaintenance(
    database,
    {
      tickRetentionDays: config.TICK_RETENTION_DAYS,
      barRetentionDays: config.BAR_RETENTION_DAYS ?? null,
      partitionsAheadDays: config.TICK_PARTITIONS_AHEAD_DAYS,
      intervalMs: config.STORAGE_MAINTENANCE_INTERVAL_MS,
      lockTimeoutMs: config.STORAGE_DDL_LOCK_TIMEOUT_MS,
    },
    clock,
    logger.child({ component: "storage-maintenance" }),
  );
  return {
    database,
    writer,
    aggregator,
    rejections,
    maintenance,
    spool,
    forceClose: () => writer.forceCloseNow(),
    onBar: (listener) => void barListeners.push(listener),
    async close() {
      // Order matters: the writer before the rejection recorder, which keeps the ticks the writer
      // refuses while it flushes; all of them before the pool closes.
      await maintenance.stop();
      await aggregator.close();
      await writer.close();
      spool?.close();
      await rejections.close();
      await database.close();
    },
  };
}
