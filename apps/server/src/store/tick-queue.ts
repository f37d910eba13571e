import type { Trade } from "@torghut/contracts";
import type { PreparedBatch } from "./prepared-batch";

/**
 * A run of accepted ticks that travels to the database as one batch. `firstSeq` is the acceptance
 * number of its first tick: flush() waits until no queued or in-flight chunk starts below its mark.
 */
export interface TickChunk {
  readonly firstSeq: number;
  readonly openedAt: number;
  readonly trades: Trade[];
  /** Set once a chunk has been sent: a retry goes out as soon as the writer may send again. */
  retry: boolean;
  /** Cached so a retried batch is not serialised (and its bad rows not counted) twice. */
  encoded: PreparedBatch | null;
}

/** FIFO of chunks: O(1) append, and batches leave whole instead of being spliced off a big array. */
export class TickQueue {
  private chunks: TickChunk[] = [];
  private rows = 0;

  constructor(private readonly chunkRows: number) {}

  get length(): number {
    return this.rows;
  }

  /** Appends; returns the chunk it landed in so the caller can tell "new chunk" and "chunk full". */
  push(trade: Trade, seq: number, now: number): TickChunk {
    let last = this.chunks[this.chunks.length - 1];
    if (last === undefined || last.trades.length >= this.chunkRows || last.retry) {
      last = { firstSeq: seq, openedAt: now, trades: [], retry: false, encoded: null };
      this.chunks.push(last);
    }
    last.trades.push(trade);
    this.rows++;
    return last;
  }

  isFull(chunk: TickChunk): boolean {
    return chunk.trades.length >= this.chunkRows;
  }

  peek(): TickChunk | undefined {
    return this.chunks[0];
  }

  take(): TickChunk | undefined {
    const chunk = this.chunks.shift();
    if (chunk) this.rows -= chunk.trades.length;
    return chunk;
  }

  /** Puts chunks back at the front (in the given order) after a failed attempt. */
  requeue(...chunks: TickChunk[]): void {
    for (const chunk of chunks) {
      chunk.retry = true;
      this.rows += chunk.trades.length;
    }
    this.chunks.unshift(...chunks);
  }

  /** Lowest acceptance number still queued, or null. Requeued chunks may sit out of order. */
  minSeq(): number | null {
    let min: number | null = null;
    for (const chunk of this.chunks) if (min === null || chunk.firstSeq < min) min = chunk.firstSeq;
    return min;
  }
}
