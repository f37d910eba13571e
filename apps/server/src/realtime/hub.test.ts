import assert from "node:assert/strict";
import { test } from "node:test";
import { Hub } from "./hub";
import type { Frame, Publication, WireFormat } from "./publication";
import type { HubClient } from "./transport";
import { eventually, trade } from "./testing";

/** The transport port with an in-memory sink: what a transport adapter looks like to the hub. */
class SinkClient implements HubClient {
  readonly transport = "sink";
  readonly bufferedAmount = 0;
  readonly frames: string[] = [];
  constructor(readonly format: WireFormat) {}
  send(frame: Frame): void {
    this.frames.push(String(frame));
  }
  close(): void {}
  terminate(): void {}
}

test("encodes once per wire format, and conflates a fan-out backlog to the latest value per channel", async () => {
  let encodings = 0;
  const format: WireFormat = {
    name: "price-only",
    encode: (publication: Publication) => {
      encodings += 1;
      return `${publication.offset}:${(publication.data as { price: number }).price}`;
    },
  };
  const hub = new Hub({ updatesPerSecond: 0, fanoutSliceSize: 1 });
  const a = new SinkClient(format);
  const b = new SinkClient(format);
  for (const client of [a, b]) hub.connect(client, { sub: "t", roles: [] }).subscribe("lines:AAPL");
  hub.publishTrade(trade("AAPL", 1));
  hub.publishTrade(trade("AAPL", 2));
  hub.publishTrade(trade("AAPL", 3));
  await eventually(() => hub.stats().pendingFanouts === 0, "fan-out done");
  assert.deepEqual(a.frames, ["1:1", "3:3"]);
  assert.deepEqual(b.frames, ["1:1", "3:3"]);
  assert.equal(encodings, 2, "one encoding per publication, shared by both clients");
  assert.equal(hub.stats().conflatedMessages, 2);
  await hub.shutdown(0);
});
