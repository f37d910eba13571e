import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../clock";
import type { FanoutTrace } from "./fanout-trace";
import { fanoutStages } from "./fanout-trace";
import { Hub } from "./hub";
import type { Frame, Publication, WireFormat } from "./publication";
import type { HubClient } from "./transport";
import { CloseCode } from "./transport";
import { eventually } from "@torghut/testing";
import { trade } from "../../test/support/realtime";

/** The transport port with an in-memory sink: what a transport adapter looks like to the hub. */
class SinkClient implements HubClient {
  readonly transport = "sink";
  /** What the transport reports as unflushed; set above the high-water mark to play a client that is behind. */
  bufferedAmount = 0;
  /** One entry per write the hub asked for. */
  readonly writes: string[][] = [];
  closedWith: number | null = null;
  constructor(readonly format: WireFormat) {}
  get frames(): string[] {
    return this.writes.flat();
  }
  send(frame: Frame): void {
    this.writes.push([String(frame)]);
  }
  sendBatch(frames: readonly Frame[]): void {
    this.writes.push(frames.map(String));
  }
  close(code: number): void {
    this.closedWith = code;
  }
  terminate(): void {}
}

test("encodes once per wire format, and what is due to a client in one turn leaves in one write", async () => {
  let encodings = 0;
  const format: WireFormat = {
    name: "price-only",
    encode: (publication: Publication) => {
      encodings += 1;
      return `${publication.offset}:${(publication.data as { price: number }).price}`;
    },
  };
  const completed: number[] = [];
  const hub = new Hub({
    updatesPerSecond: 0,
    onFanoutComplete: (_ms, recipients) => completed.push(recipients),
  });
  const a = new SinkClient(format);
  const b = new SinkClient(format);
  for (const client of [a, b]) hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:AAPL");
  hub.publishTrade(trade("AAPL", 1));
  hub.publishTrade(trade("AAPL", 2));
  hub.publishTrade(trade("AAPL", 3));
  assert.deepEqual(a.writes, [], "nothing is written before the turn ends");
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-out done");
  assert.deepEqual(a.writes, [["1:1", "2:2", "3:3"]]);
  assert.deepEqual(b.writes, [["1:1", "2:2", "3:3"]]);
  assert.equal(encodings, 3, "one encoding per publication, shared by both clients");
  assert.deepEqual(completed, [2, 2, 2]);
  assert.equal(hub.stats().deliveries, 6);
  await hub.shutdown(0);
});

test("a flush over more clients than one slice continues on later turns, in order", async () => {
  const format: WireFormat = { name: "offset", encode: (publication) => String(publication.offset) };
  const hub = new Hub({ updatesPerSecond: 0, fanoutSliceSize: 2 });
  const clients = Array.from({ length: 5 }, () => new SinkClient(format));
  for (const client of clients) hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:MSFT");
  hub.publishTrade(trade("MSFT", 1));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    clients.map((client) => client.writes.length),
    [1, 1, 0, 0, 0],
    "one slice per turn",
  );
  hub.publishTrade(trade("MSFT", 2));
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-out done");
  assert.deepEqual(clients[0]!.frames, ["1", "2"]);
  assert.deepEqual(clients[4]!.writes, [["1", "2"]], "a client not yet flushed gets both in one write");
  await hub.shutdown(0);
});

test("a traced fan-out reports its stages in order, a throttled one waiting in the throttle, still one encoding", async () => {
  let encodings = 0;
  const format: WireFormat = {
    name: "offset",
    encode: (publication) => {
      encodings += 1;
      return String(publication.offset);
    },
  };
  const clock = new ManualClock();
  const traces: FanoutTrace[] = [];
  const hub = new Hub({
    clock,
    updatesPerSecond: 10,
    fanoutSliceSize: 2,
    onFanoutTrace: (t) => traces.push(t),
  });
  const clients = Array.from({ length: 5 }, () => new SinkClient(format));
  for (const client of clients) hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:MSFT");
  hub.publishTrade(trade("MSFT", 1));
  hub.publishTrade(trade("MSFT", 2)); // inside the throttle's interval: deferred
  await eventually(() => traces.length === 1, "first fan-out traced");
  clock.advance(100);
  await eventually(() => traces.length === 2, "throttled fan-out traced");
  for (const trace of traces) {
    assert.equal(trace.recipients, 5);
    const order = [
      trace.offeredAt,
      trace.emittedAt,
      trace.appendedAt,
      trace.encodedAt,
      trace.enqueuedAt,
      trace.flushStartedAt,
      trace.completedAt,
    ];
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      "stages in order",
    );
    assert.ok(trace.completedAt > trace.flushStartedAt, "three slices of two take more than one turn");
  }
  assert.equal(fanoutStages(traces[0]!).throttle, traces[0]!.emittedAt - traces[0]!.offeredAt);
  assert.ok(fanoutStages(traces[1]!).throttle > 0, "the deferred publication waited in the throttle");
  assert.equal(encodings, 2, "tracing encodes nothing twice");
  assert.deepEqual(clients[4]!.frames, ["1", "2"]);
  const shutdown = hub.shutdown(0);
  clock.advance(0);
  await shutdown;
});

test("a client that keeps up gets a long backlog written out, not conflated", async () => {
  const format: WireFormat = { name: "offset", encode: (publication) => String(publication.offset) };
  const hub = new Hub({ updatesPerSecond: 0, clientBuffer: 4 });
  const client = new SinkClient(format);
  hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:*");
  for (let i = 1; i <= 10; i++) hub.publishTrade(trade(`S${i}`, i));
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-out done");
  assert.equal(client.frames.length, 10);
  assert.equal(hub.stats().conflatedMessages, 0);
  assert.equal(hub.stats().slowClientsClosed, 0);
  await hub.shutdown(0);
});

test("a client that keeps up gets frames over the byte cap written out within one turn, not conflated", async () => {
  const padding = "x".repeat(400);
  const format: WireFormat = {
    name: "large",
    encode: (publication) => `${(publication.data as { price: number }).price}:${padding}`,
  };
  const hub = new Hub({ updatesPerSecond: 0, clientBuffer: 100, clientBufferBytes: 1000 });
  const client = new SinkClient(format);
  hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:*");
  // Ten ~400-byte frames in one turn: four times the byte cap, far under the message cap.
  for (let i = 1; i <= 10; i++) hub.publishTrade(trade(`S${i}`, i));
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-out done");
  assert.deepEqual(
    client.frames.map((frame) => frame.split(":")[0]),
    ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"],
  );
  assert.ok(client.writes.length > 1, "the queue was written out before the end of the turn");
  assert.equal(hub.stats().conflatedMessages, 0);
  assert.equal(hub.stats().slowClientsClosed, 0);
  assert.equal(client.closedWith, null);
  await hub.shutdown(0);
});

test("a client whose transport stays backed up is closed as slow once it has been behind for maxBehindMs", async () => {
  const clock = new ManualClock();
  const format: WireFormat = { name: "offset", encode: (publication) => String(publication.offset) };
  const hub = new Hub({ clock, updatesPerSecond: 0, transportHighWaterBytes: 1024, maxBehindMs: 100 });
  const client = new SinkClient(format);
  client.bufferedAmount = 2048;
  hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:*");
  hub.publishTrade(trade("S1", 1));
  // The end-of-turn flush finds the transport full: nothing is written and the client is behind from now.
  await eventually(() => hub.stats().pendingFanouts === 0, "first flush");
  assert.deepEqual(client.writes, []);
  clock.advance(100);
  hub.publishTrade(trade("S2", 2));
  assert.equal(client.closedWith, null, "not closed at exactly maxBehindMs");
  assert.equal(hub.stats().slowClientsClosed, 0);
  clock.advance(1);
  hub.publishTrade(trade("S3", 3));
  assert.equal(client.closedWith, CloseCode.POLICY_VIOLATION);
  assert.equal(hub.stats().slowClientsClosed, 1);
  assert.deepEqual(client.writes, [], "a slow client's backlog is discarded, not written");
  // The sink never reports the close back, so shutdown's deadline (on the manual clock) ends it.
  const shutdown = hub.shutdown(0);
  clock.advance(0);
  await shutdown;
});

/** Frames as `channel@offset`, so a test can tell publications on different channels apart. */
const channelOffset: WireFormat = {
  name: "channel-offset",
  encode: (publication) => `${publication.channel}@${publication.offset}`,
};

test("a client wider than its buffer (600 channels, WS_CLIENT_BUFFER 256) behind for a moment is conflated, not closed", async () => {
  const clock = new ManualClock();
  const hub = new Hub({ clock, updatesPerSecond: 0, clientBuffer: 256, transportHighWaterBytes: 1024 });
  const client = new SinkClient(channelOffset);
  client.bufferedAmount = 2048;
  hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:*");
  for (let s = 0; s < 600; s++) hub.publishTrade(trade(`W${s}`, 1));
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-out of the first round");
  assert.equal(client.closedWith, null, "600 distinct channels are not an overflow");
  assert.deepEqual(client.writes, [], "nothing written while the transport is behind");
  // The transport drains; the next publication's flush writes the backlog.
  client.bufferedAmount = 0;
  hub.publishTrade(trade("W0", 2));
  await eventually(() => client.frames.length >= 600, "the backlog written once the transport drains");
  assert.equal(client.closedWith, null);
  assert.equal(hub.stats().slowClientsClosed, 0);
  const channels = new Set(client.frames.map((f) => f.split("@")[0]));
  assert.equal(channels.size, 600, "every channel got its frame");
  const shutdown = hub.shutdown(0);
  clock.advance(0);
  await shutdown;
});

test("a lone publication is written when its burst ends, before the end-of-turn flush; a burst of several still leaves in one write", async () => {
  const hub = new Hub({ updatesPerSecond: 0 });
  const client = new SinkClient(channelOffset);
  hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:*");
  hub.publishTrade(trade("AAPL", 1));
  assert.deepEqual(client.writes, [], "not inside publish: the burst may go on");
  await Promise.resolve();
  assert.deepEqual(client.writes, [["lines:AAPL@1"]], "written when the burst ended, no turn waited");
  assert.equal(hub.stats().deliveries, 1);
  assert.equal(hub.stats().pendingFanouts, 0);
  hub.publishTrade(trade("MSFT", 2));
  hub.publishTrade(trade("NVDA", 3));
  await Promise.resolve();
  assert.equal(client.writes.length, 1, "a burst of two waits for the end-of-turn flush");
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-out done");
  assert.deepEqual(client.writes, [["lines:AAPL@1"], ["lines:MSFT@1", "lines:NVDA@1"]]);
  assert.equal(hub.stats().deliveries, 3);
  await hub.shutdown(0);
});

test("a lone publication never overtakes what a client already has queued", async () => {
  const hub = new Hub({ updatesPerSecond: 0, transportHighWaterBytes: 1024 });
  const client = new SinkClient(channelOffset);
  hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:*");
  client.bufferedAmount = 2048;
  hub.publishTrade(trade("AAPL", 1));
  await eventually(() => hub.stats().pendingFanouts === 0, "first fan-out done");
  assert.deepEqual(client.writes, [], "held in the queue behind a full transport");
  client.bufferedAmount = 0;
  hub.publishTrade(trade("AAPL", 2));
  await eventually(() => hub.stats().pendingFanouts === 0, "second fan-out done");
  assert.deepEqual(client.writes, [["lines:AAPL@1", "lines:AAPL@2"]], "queued behind the first, in order");
  await hub.shutdown(0);
});

test("a publication still being written directly stays ahead of a later subscribe's ack and replay", async () => {
  const hub = new Hub({ updatesPerSecond: 0, fanoutSliceSize: 1 });
  const first = new SinkClient(channelOffset);
  const second = new SinkClient(channelOffset);
  hub.connect(first, { sub: "t", roles: [] }).subscribe("lines:*");
  const session = hub.connect(second, { sub: "t", roles: [] });
  session.subscribe("lines:*");
  hub.publishTrade(trade("AAPL", 1));
  await Promise.resolve();
  assert.deepEqual([first.frames, second.frames], [["lines:AAPL@1"], []], "one slice written directly");
  const outcome = session.subscribe("lines:MSFT");
  assert.equal(outcome.ok, true);
  session.sendControl("ack lines:MSFT");
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-out done");
  assert.deepEqual(second.frames, ["lines:AAPL@1", "ack lines:MSFT"]);
  await hub.shutdown(0);
});

test("a hub that is behind queues a lone publication behind the backlog instead of writing the first clients again", async () => {
  const hub = new Hub({ updatesPerSecond: 0, fanoutSliceSize: 1 });
  const clients = Array.from({ length: 3 }, () => new SinkClient(channelOffset));
  for (const client of clients) hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:*");
  hub.publishTrade(trade("AAPL", 1));
  await Promise.resolve();
  hub.publishTrade(trade("AAPL", 2));
  await Promise.resolve();
  assert.deepEqual(
    clients.map((client) => client.writes),
    [[["lines:AAPL@1"]], [], []],
    "the second publication waits for the flush",
  );
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-outs done");
  assert.deepEqual(
    clients.map((client) => client.writes),
    [
      [["lines:AAPL@1"], ["lines:AAPL@2"]],
      [["lines:AAPL@1", "lines:AAPL@2"]],
      [["lines:AAPL@1", "lines:AAPL@2"]],
    ],
  );
  await hub.shutdown(0);
});
