import type { Bar1m } from "@torghut/contracts";
import { createDb, seedSymbols, type Database } from "@torghut/db";
import type { Logger } from "pino";
import type { Clock } from "../clock";
import type { ServerConfig } from "../config";
import { BarAggregator } from "../store/bar-aggregator";
import { RejectionRecorder } from "../store/rejection-recorder";
import { TickWriter } from "../store/tick-writer";

export interface Storage {
  database: Database;
  writer: TickWriter;
  aggregator: BarAggregator;
  rejections: RejectionRecorder;
  /** Bars as they close (and again when a late trade changes one): the hub's analytics channel. */
  onBar(listener: (bar: Bar1m) => void): void;
  close(): Promise<void>;
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
  const writer = new TickWriter(
    database,
    {
      flushIntervalMs: config.WRITER_FLUSH_INTERVAL_MS,
      batchRows: config.WRITER_BATCH_ROWS,
      bufferMaxTicks: config.WRITER_BUFFER_MAX_TICKS,
      synchronousCommit: config.WRITER_SYNCHRONOUS_COMMIT,
      logger: logger.child({ component: "tick-writer" }),
    },
    clock,
  );
  const aggregator = new BarAggregator(
    database,
    { logger: logger.child({ component: "bars" }), onBar: (bar) => barListeners.forEach((l) => l(bar)) },
    clock,
  );
  const rejections = new RejectionRecorder(database, clock, logger.child({ component: "rejections" }));
  return {
    database,
    writer,
    aggregator,
    rejections,
    onBar: (listener) => void barListeners.push(listener),
    async close() {
      // Order matters: bars and rejections write through the database, ticks last so a slow
      // database still gets every accepted tick before the pool closes.
      await aggregator.close();
      await rejections.close();
      await writer.close();
      await database.close();
    },
  };
}
