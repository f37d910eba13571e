import type { Trade } from "@torghut/contracts";

/**
 * Where the tick writer puts accepted ticks the database cannot take now (an outage past a short
 * threshold, a buffer past its high-water mark, a shutdown with ticks unflushed), and takes them
 * back from, oldest first, once it can commit again. Durable across a restart of the process.
 */
export interface TickSpool {
  /** Appends one record. Throws SpoolFullError (nothing written) when it would pass the byte bound. */
  append(trades: readonly Trade[]): void;
  /** The oldest record not yet acknowledged, or null when the spool is empty. */
  peek(): SpooledRecord | null;
  /** The record handed out by `peek` is committed: drop it (and its segment once it is used up). */
  ack(record: SpooledRecord): void;
  /** Forces what was appended to disk. */
  sync(): void;
  /** Bytes on disk in live segments (corrupt ones set aside are not counted). */
  readonly bytes: number;
  /** Ticks appended and not yet acknowledged. */
  readonly ticks: number;
  close(): void;
}

export interface SpooledRecord {
  readonly trades: Trade[];
  /** Opaque position of the record; only the spool reads it. */
  readonly position: { segment: number; offset: number; end: number };
}

/** The spool reached SPOOL_MAX_BYTES: the record was not written. Not retryable until replay frees room. */
export class SpoolFullError extends Error {
  override readonly name = "SpoolFullError";
  readonly retryable = false;
  constructor(
    readonly maxBytes: number,
    readonly recordBytes: number,
  ) {
    super(`spool full: ${maxBytes} bytes bound reached, a ${recordBytes}-byte record does not fit`);
  }
}

/** A segment's bytes do not hold what was written (torn tail, bit rot): the rest of it is set aside. */
export class SpoolCorruptionError extends Error {
  override readonly name = "SpoolCorruptionError";
  readonly retryable = false;
  constructor(
    message: string,
    readonly file: string,
    readonly offset: number,
  ) {
    super(message);
  }
}
