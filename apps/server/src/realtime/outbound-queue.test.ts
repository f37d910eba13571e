import assert from "node:assert/strict";
import { test } from "node:test";
import { OutboundQueue } from "./outbound-queue";

const drain = (queue: OutboundQueue): string[] => {
  const out: string[] = [];
  for (let frame = queue.shift(); frame !== undefined; frame = queue.shift()) out.push(String(frame));
  return out;
};

test("a full queue conflates to the newest frame per channel and keeps control frames in order", () => {
  const queue = new OutboundQueue(4, 1_000_000);
  assert.equal(queue.push("lines:A", "a1", 2), "queued");
  assert.equal(queue.push(null, "ack", 3), "queued");
  assert.equal(queue.push("lines:B", "b1", 2), "queued");
  assert.equal(queue.push("lines:A", "a2", 2), "queued");
  assert.equal(queue.push("lines:B", "b2", 2), "conflated");
  assert.equal(queue.lastConflated, 2);
  assert.equal(queue.bytes, 7);
  assert.deepEqual(drain(queue), ["ack", "a2", "b2"]);
  assert.equal(queue.length, 0);
  assert.equal(queue.bytes, 0);
});

test("the byte cap also triggers conflation, and a queue still over it afterwards overflows", () => {
  const bytes = new OutboundQueue(100, 10);
  bytes.push("k", "x", 6);
  assert.equal(bytes.push("k", "y", 6), "conflated");
  assert.deepEqual(drain(bytes), ["y"]);

  const distinct = new OutboundQueue(100, 10);
  distinct.push("a", "1", 6);
  assert.equal(distinct.push("b", "2", 6), "overflow");
});

test("control frames alone past the message cap overflow: they are never conflated", () => {
  const queue = new OutboundQueue(2, 1000);
  queue.push(null, "ack1", 1);
  queue.push(null, "ack2", 1);
  assert.equal(queue.push(null, "ack3", 1), "overflow");
});

test("a client wider than the cap (more channels than WS_CLIENT_BUFFER) keeps the newest frame of each, not an overflow", () => {
  const queue = new OutboundQueue(256, 1_000_000);
  const results = new Set<string>();
  // A 500-symbol watchlist: trades and order book for each, three updates per channel while the socket is busy.
  for (let round = 1; round <= 3; round++)
    for (let s = 0; s < 500; s++)
      for (const kind of ["trades", "order_book"])
        results.add(queue.push(`${kind}:S${s}`, `${kind}:S${s}#${round}`, 10));
  assert.ok(!results.has("overflow"), "a wide client is not a slow one");
  const frames = drain(queue);
  assert.equal(new Set(frames.map((f) => f.split("#")[0])).size, 1_000, "every channel still has a frame");
  for (const kind of ["trades", "order_book"])
    for (let s = 0; s < 500; s++)
      assert.ok(frames.includes(`${kind}:S${s}#3`), `${kind}:S${s} keeps its newest`);
  assert.ok(frames.length < 2_000, `conflated, not kept whole (${frames.length} frames)`);
});

test("a drained queue conflates at the configured cap again", () => {
  const queue = new OutboundQueue(2, 1000);
  for (const key of ["a", "b", "c", "d"]) queue.push(key, key, 1);
  drain(queue);
  queue.push("a", "a1", 1);
  queue.push("a", "a2", 1);
  assert.equal(queue.push("a", "a3", 1), "conflated");
  assert.deepEqual(drain(queue), ["a3"]);
});

test("take() hands out frames while they fit the byte budget, and a frame larger than the budget alone", () => {
  const queue = new OutboundQueue(100, 1_000_000);
  queue.push("a", "big", 50);
  queue.push("b", "s1", 4);
  queue.push("c", "s2", 4);
  queue.push("d", "s3", 4);
  assert.deepEqual(queue.take(10).map(String), ["big"], "a frame over the budget still leaves, alone");
  assert.deepEqual(queue.take(10).map(String), ["s1", "s2"], "the budget stops the batch before s3");
  assert.equal(queue.length, 1);
  assert.equal(queue.bytes, 4);
  assert.deepEqual(queue.take(0), [], "no budget, nothing taken");
  assert.deepEqual(queue.take(100).map(String), ["s3"]);
  assert.equal(queue.length, 0);
  assert.equal(queue.bytes, 0);
});
