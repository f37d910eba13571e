import assert from "node:assert/strict";
import { test } from "node:test";
import { FrameJoiner, joinPayloads, payloadStart } from "./frame-join";
import { textFrame } from "./ws-protocol";

test("a run of frames is joined in order, and the same run for the next client reuses the join", () => {
  const joiner = new FrameJoiner();
  const [a, b, c] = ["a1", "b22", "c333"].map((text) => Buffer.from(text));
  const first = joiner.join([a!, b!, c!], 0, 3);
  assert.equal(first.toString(), "a1b22c333");
  const second = joiner.join([a!, b!, c!], 0, 3);
  assert.equal(second, first, "one copy for both clients");
  assert.equal(joiner.reused, 1);
  assert.equal(joiner.join([c!, a!, b!, c!], 1, 3).toString(), "a1b22", "a sub-range is its own run");
  assert.equal(joiner.reused, 1);
});

test("a run of other frames with the same bytes and length is joined afresh, never mixed up", () => {
  const joiner = new FrameJoiner();
  const x = Buffer.from("xx");
  const y = Buffer.from("yy");
  assert.equal(joiner.join([x, y], 0, 2).toString(), "xxyy");
  assert.equal(joiner.join([y, x], 0, 2).toString(), "yyxx", "same frames, other order");
  assert.equal(joiner.join([Buffer.from("yy"), x], 0, 2).toString(), "yyxx", "equal bytes, other frame");
  assert.equal(joiner.reused, 0);
});

test("joinPayloads makes one text frame of several, payloads in order, across header sizes", () => {
  const short = textFrame(Buffer.from('{"a":1}\x1e'));
  const medium = textFrame(Buffer.from(`{"b":"${"m".repeat(300)}"}\x1e`));
  const long = textFrame(Buffer.from(`{"c":"${"l".repeat(70_000)}"}\x1e`));
  assert.deepEqual([short, medium, long].map(payloadStart), [2, 4, 10]);
  const joined = new FrameJoiner(joinPayloads).join([short, medium, long], 0, 3);
  const expected = Buffer.concat([short.subarray(2), medium.subarray(4), long.subarray(10)]);
  assert.equal(joined[0], 0x81, "one final text frame");
  assert.equal(payloadStart(joined), 10);
  assert.equal(joined.readBigUInt64BE(2), BigInt(expected.length));
  assert.deepEqual(joined.subarray(10), expected);
  assert.deepEqual(
    joined
      .subarray(10)
      .toString()
      .split("\x1e")
      .slice(0, -1)
      .map((r) => Object.keys(JSON.parse(r))[0]),
    ["a", "b", "c"],
  );
});
