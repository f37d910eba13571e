import assert from "node:assert/strict";
import { test } from "node:test";
import { sampleTrades } from "../fixtures/sample-trades";
import { SpoolFullError, type TickSpool } from "../../src/spool/ports";

/** Drains a spool the way the writer does: peek, commit, ack. */
export function drain(spool: TickSpool): string[][] {
  const out: string[][] = [];
  for (let record = spool.peek(); record !== null; record = spool.peek()) {
    out.push(record.trades.map((t) => t.tradeId ?? ""));
    spool.ack(record);
  }
  return out;
}

/** What every TickSpool must do; `open` gives a fresh, empty spool with the byte bound asked for. */
export function tickSpoolContract(name: string, open: (maxBytes: number) => TickSpool): void {
  test(`${name}: records come back whole, oldest first, and an acknowledged one never again`, () => {
    const spool = open(10 * 1024 ** 2);
    try {
      const trades = sampleTrades(3, 0);
      spool.append(trades);
      spool.append(sampleTrades(2, 3));
      const first = spool.peek();
      assert.deepEqual(first?.trades, trades);
      assert.equal(spool.peek()?.position.offset, first?.position.offset, "peek does not consume");
      spool.ack(first);
      spool.append(sampleTrades(1, 5));
      assert.deepEqual(drain(spool), [["t3", "t4"], ["t5"]]);
      assert.equal(spool.peek(), null);
      assert.equal(spool.bytes, 0);
      assert.equal(spool.ticks, 0);
    } finally {
      spool.close();
    }
  });

  test(`${name}: past its byte bound an append is refused whole (SpoolFullError) and nothing is written`, () => {
    const spool = open(4096);
    try {
      spool.append(sampleTrades(5));
      const before = spool.bytes;
      assert.ok(before > 0 && before < 4096);
      assert.throws(() => spool.append(sampleTrades(100, 5)), SpoolFullError);
      assert.equal(spool.bytes, before);
      assert.deepEqual(drain(spool), [["t0", "t1", "t2", "t3", "t4"]]);
    } finally {
      spool.close();
    }
  });
}
