/**
 * A batch the database did not take. `retryable` separates "try again later" from "this data is
 * bad"; `sqlState` is the database's SQLSTATE when it sent one.
 */
export class StoreWriteError extends Error {
  override readonly name: string = "StoreWriteError";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly sqlState: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The database cannot commit right now (no connection, out of resources, shutting down, a lost
 * serialisation race, or a revoked grant or missing table): the batch is held and sent again. Retryable.
 */
export class DatabaseUnavailableError extends StoreWriteError {
  override readonly name = "DatabaseUnavailableError";
  constructor(message: string, sqlState: string | null, options?: { cause?: unknown }) {
    super(message, true, sqlState, options);
  }
}

/** The database refused these rows for what they hold (22 data exception, 23 integrity). Not retryable. */
export class RowsRefusedError extends StoreWriteError {
  override readonly name = "RowsRefusedError";
  constructor(message: string, sqlState: string | null, options?: { cause?: unknown }) {
    super(message, false, sqlState, options);
  }
}

/**
 * Only classes 22 (data exception) and 23 (integrity) say something about the rows themselves;
 * bisection isolates the offending ones. Everything else means the database cannot commit *any*
 * rows now: 08 connection, 53 resources, 57 operator intervention, 58 system, 40 rollback
 * (40001/40P01), no SQLSTATE at all (a socket error) — and class 42 too: our statements are fixed
 * text, so "permission denied" or "no such table" is a revoked grant or a botched migration to
 * wait out, never bad data (before, it halved every batch down to single rows and dropped them all).
 * 23505 (unique violation) never refuses a row: the natural key's ON CONFLICT already swallows
 * duplicates, so it can only mean the row is stored already.
 */
const ROW_ERROR_CLASSES = new Set(["22", "23"]);
export const DUPLICATE_KEY = "23505";

/**
 * The SQLSTATE of an error the database sent, or null for anything else. Both pg and PGlite give
 * their server errors a `severity`; a socket error's errno code (EPIPE) has none, so it never
 * passes for a SQLSTATE.
 */
export function sqlStateOf(error: unknown): string | null {
  if (typeof error !== "object" || error === null || !("severity" in error) || !("code" in error))
    return null;
  return typeof error.code === "string" && /^[0-9A-Z]{5}$/.test(error.code) ? error.code : null;
}

export function toStoreWriteError(error: unknown, what: string): StoreWriteError {
  if (error instanceof StoreWriteError) return error;
  const code = sqlStateOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${what}: ${code === null ? "" : `[${code}] `}${detail}`;
  return code !== null && ROW_ERROR_CLASSES.has(code.slice(0, 2))
    ? new RowsRefusedError(message, code, { cause: error })
    : new DatabaseUnavailableError(message, code, { cause: error });
}
