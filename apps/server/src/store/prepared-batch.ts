import type { Trade } from "@torghut/contracts";

/** A batch encoded for one insert method: how many rows it holds, and the trades left out of it. */
export interface PreparedBatch {
  rows: number;
  /** Trades whose event time is not RFC-3339: they cannot get a key, so they are left out. */
  invalid: Trade[];
}
