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

test("the byte cap also triggers conflation, and a queue still full afterwards overflows", () => {
  const bytes = new OutboundQueue(100, 10);
  bytes.push("k", "x", 6);
  assert.equal(bytes.push("k", "y", 6), "conflated");
  assert.deepEqual(drain(bytes), ["y"]);

  const distinct = new OutboundQueue(2, 1000);
  distinct.push("a", "1", 1);
  distinct.push("b", "2", 1);
  assert.equal(distinct.push("c", "3", 1), "overflow");
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
