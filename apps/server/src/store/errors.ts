/** A batch the database did not take. `retryable` separates "try again later" from "this data is bad". */
export class StoreWriteError extends Error {
  override readonly name = "StoreWriteError";
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * SQLSTATE classes that say something about the rows themselves (22 data exception, 23 integrity,
 * 42 syntax/undefined): retrying the same rows cannot succeed. Everything else (no SQLSTATE at all
 * means a socket error; 08 connection, 53 resources, 57 operator intervention, 40 rollback) is
 * treated as transient.
 */
const DATA_ERROR_CLASSES = new Set(["22", "23", "42"]);

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
  const retryable = !(code !== null && DATA_ERROR_CLASSES.has(code.slice(0, 2)));
  const detail = error instanceof Error ? error.message : String(error);
  return new StoreWriteError(`${what}: ${detail}`, retryable, { cause: error });
}
