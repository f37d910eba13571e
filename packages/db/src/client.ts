import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import pg from "pg";
import * as schema from "./schema";

export type Schema = typeof schema;
export type TorghutDrizzle = PgDatabase<PgQueryResultHKT, Schema>;
export type DriverName = "postgres" | "pglite";

export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface CreateDbOptions {
  /** postgres:// URL: use node-postgres. Unset: embedded PGlite. */
  url?: string;
  /** Where PGlite keeps its files (ignored with `url` or `inMemory`). */
  dataDir?: string;
  /** PGlite in memory, for tests. */
  inMemory?: boolean;
  poolMax?: number;
  /** Deadlines on every pooled connection (PostgreSQL only); unset fields take the defaults below. */
  deadlines?: Partial<PoolDeadlines>;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  migrationsFolder?: string;
}

/** One storage handle for both engines; repositories and the tick writer take this, never a driver. */
/** What a statement needs: parameterised SQL ($1, $2, …) with the same result shape on both drivers. */
export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

export interface Database extends Queryable {
  readonly driver: DriverName;
  readonly db: TorghutDrizzle;
  /** The node-postgres pool (PostgreSQL only), for COPY and other driver-specific fast paths. */
  readonly pool: pg.Pool | null;
  /**
   * Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it
   * throws (the error is rethrown as it was). For writes that must land together or not at all.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How long the pool waits for PostgreSQL before it gives up, so a frozen server or a black-holed
 * connection is detected in seconds and the caller retries on a fresh connection, instead of
 * waiting for the kernel to give up on the socket (many minutes).
 */
export interface PoolDeadlines {
  /** Server side: PostgreSQL cancels a statement running longer (SQLSTATE 57014). */
  statementTimeoutMs: number;
  /**
   * Client side: the query is failed with QueryDeadlineError and its connection discarded. Set above
   * statementTimeoutMs so a live server cancels first; this one catches a server that answers nothing.
   */
  queryTimeoutMs: number;
  /** Opening a connection (TCP + startup + auth). */
  connectTimeoutMs: number;
  /** TCP keepalive after this much idle: a dead host or a dropped NAT entry breaks the socket. */
  keepAliveIdleMs: number;
}

export const DEFAULT_POOL_DEADLINES: PoolDeadlines = {
  statementTimeoutMs: 10_000,
  queryTimeoutMs: 12_000,
  connectTimeoutMs: 5_000,
  keepAliveIdleMs: 10_000,
};

export class DatabaseError extends Error {
  override readonly name = "DatabaseError";
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * PostgreSQL did not answer a query within the client-side deadline. Retryable: the connection was
 * discarded, the next attempt opens a fresh one. It carries no SQLSTATE, like any socket failure.
 */
export class QueryDeadlineError extends Error {
  override readonly name = "QueryDeadlineError";
  readonly retryable = true;
  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`PostgreSQL did not answer within ${timeoutMs} ms`, options);
  }
}

/** pg's own wording for an expired query_timeout (it has no error code). */
const PG_READ_TIMEOUT = "Query read timeout";

export const DEFAULT_MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../drizzle", import.meta.url));
const DEFAULT_POOL_MAX = 20;
/** Arbitrary constant shared by every replica so only one of them migrates at a time. */
const MIGRATION_LOCK_KEY = 7_240_105_301;

export async function createDb(options: CreateDbOptions = {}): Promise<Database> {
  const database = options.url ? createPostgres(options.url, options) : await createPglite(options);
  if (options.migrate ?? true) {
    try {
      await database.migrate();
    } catch (error) {
      await database.close().catch(() => undefined);
      // A server that is not up yet is worth retrying; SQL the server refuses is not.
      const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
      const retryable = !/^(22|23|42)[0-9A-Z]{3}$/.test(code);
      const reason = error instanceof Error ? error.message : String(error);
      throw new DatabaseError(`applying migrations failed: ${reason}`, retryable, { cause: error });
    }
  }
  return database;
}

function createPostgres(url: string, options: CreateDbOptions): Database {
  const deadlines = { ...DEFAULT_POOL_DEADLINES, ...options.deadlines };
  // Every deadline bounded: a black-holed or frozen server must fail the batch (and trigger the
  // writer's backoff) instead of hanging it. pg-pool discards a client whose query failed, so the
  // retry runs on a fresh connection.
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? DEFAULT_POOL_MAX,
    connectionTimeoutMillis: deadlines.connectTimeoutMs,
    statement_timeout: deadlines.statementTimeoutMs,
    query_timeout: deadlines.queryTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: deadlines.keepAliveIdleMs,
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled it would kill the
  // process, and the next checkout reconnects anyway.
  pool.on("error", () => undefined);
  const db = drizzlePg(pool, { schema });
  const migrationsFolder = options.migrationsFolder ?? DEFAULT_MIGRATIONS_FOLDER;
  let closed = false;
  return {
    driver: "postgres",
    db,
    pool,
    query: <Row>(text: string, params: unknown[] = []) => pgQuery<Row>(pool, text, params, deadlines),
    async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // pg-pool takes its own error listener off a client it hands out, and pg emits 'error' when the
      // server ends the connection (a stop, a restart): unheard, that event would end the process.
      // Heard here, the statement in flight fails with it and the client is discarded on release.
      const onError = (error: Error) => {
        broken = error;
      };
      client.on("error", onError);
      try {
        await pgQuery(client, "BEGIN", [], deadlines);
        const result = await work({
          query: <Row>(text: string, params: unknown[] = []) => pgQuery<Row>(client, text, params, deadlines),
        });
        await pgQuery(client, "COMMIT", [], deadlines);
        return result;
      } catch (error) {
        // A connection that failed mid-transaction may be dead or still inside it: roll back if it
        // answers, and discard it either way rather than hand it to the next caller.
        broken = error instanceof Error ? error : new Error(String(error));
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.removeListener("error", onError);
        client.release(broken);
      }
    },
    async migrate() {
      // The migrator runs on its own connection that holds an advisory lock, so replicas starting
      // together do not race on the same DDL.
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
      client.on("error", () => undefined);
      await client.connect();
      try {
        await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        await migratePg(drizzlePg(client), { migrationsFolder });
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => undefined);
        await client.end().catch(() => undefined);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/** One statement on the pool or on a checked-out client, its client-side deadline named as such. */
async function pgQuery<Row>(
  on: pg.Pool | pg.PoolClient,
  text: string,
  params: unknown[],
  deadlines: PoolDeadlines,
): Promise<QueryResult<Row>> {
  try {
    const result = await on.query(text, params);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  } catch (error) {
    if (error instanceof Error && error.message === PG_READ_TIMEOUT) {
      throw new QueryDeadlineError(deadlines.queryTimeoutMs, { cause: error });
    }
    throw error;
  }
}

async function createPglite(options: CreateDbOptions): Promise<Database> {
  let client: PGlite;
  if (options.inMemory) {
    client = await PGlite.create();
  } else {
    const dataDir = options.dataDir ?? "./data";
    mkdirSync(dataDir, { recursive: true });
    client = await PGlite.create(dataDir);
  }
  const db = drizzlePglite(client, { schema });
  const migrationsFolder = options.migrationsFolder ?? DEFAULT_MIGRATIONS_FOLDER;
  return {
    driver: "pglite",
    db,
    pool: null,
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await client.query<Row>(text, params);
      return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
    },
    transaction: <T>(work: (tx: Queryable) => Promise<T>): Promise<T> =>
      client.transaction((tx) =>
        work({
          async query<Row>(text: string, params: unknown[] = []) {
            const result = await tx.query<Row>(text, params);
            return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
          },
        }),
      ),
    async migrate() {
      await migratePglite(db, { migrationsFolder });
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}
