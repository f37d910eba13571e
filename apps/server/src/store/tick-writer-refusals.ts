import type { Trade } from "@torghut/contracts";
import { RowsRefusedError } from "./errors";
import type { PreparedBatch } from "./prepared-batch";
import type { BulkInserter } from "./tick-insert";
import type { TickChunk } from "./tick-queue";

/**
 * Encoding is our own code on our own data: if it throws, the same rows will throw again, so it is
 * a refusal of these rows (halved until the bad tick stands alone), never a reason to retry.
 */
export function encodeBatch(bulk: BulkInserter, trades: Trade[]): PreparedBatch {
  try {
    return bulk.encode(trades);
  } catch (error) {
    throw new RowsRefusedError(`tick batch could not be encoded: ${String(error)}`, null, { cause: error });
  }
}

/**
 * The two halves of a batch whose rows the database refused: halving again until the offending
 * ticks stand alone makes one bad tick cost itself and not the other 4,999.
 */
export function halves(chunk: TickChunk): [TickChunk, TickChunk] {
  const middle = Math.ceil(chunk.trades.length / 2);
  const half = (trades: Trade[]): TickChunk => ({
    firstSeq: chunk.firstSeq,
    openedAt: chunk.openedAt,
    trades,
    retry: true,
    encoded: null,
  });
  return [half(chunk.trades.slice(0, middle)), half(chunk.trades.slice(middle))];
}
