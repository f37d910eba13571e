import assert from "node:assert/strict";
import { test } from "node:test";
import { liveEnvelopeSchema, indicatorUpdateSchema, type Bar1m } from "@torghut/contracts";
import { eventually } from "@torghut/testing";
import { InProcessBus } from "../bus";
import { systemClock } from "../clock";
import { Hub } from "../realtime/hub";
import type { Frame } from "../realtime/publication";
import type { HubClient } from "../realtime/transport";
import { envelopeJsonFormat } from "../realtime/transports/envelope";
import { publishMarketData } from "./realtime";

class Collector implements HubClient {
  readonly transport = "collector";
  readonly format = envelopeJsonFormat;
  bufferedAmount = 0;
  readonly frames: string[] = [];
  send(frame: Frame): void {
    this.frames.push(String(frame));
  }
  sendBatch(frames: readonly Frame[]): void {
    for (const frame of frames) this.send(frame);
  }
  close(): void {}
  terminate(): void {}
}

const bar = (minute: string, close: number): Bar1m => ({
  symbol: "AAPL",
  minute,
  open: close,
  high: close,
  low: close,
  close,
  volume: 100,
  vwap: close,
  tradeCount: 1,
  source: "alpaca",
  delayed: false,
});

test("a bar heard on the bus reaches analytics subscribers with the indicators derived on the realtime side", async (t) => {
  const bus = new InProcessBus({ replicaId: "leader" });
  await bus.connect();
  const hub = new Hub({ updatesPerSecond: 0 });
  const unpublish = publishMarketData(hub, bus, systemClock);
  t.after(async () => {
    unpublish();
    await bus.close();
  });
  const client = new Collector();
  hub.connect(client, { sub: "t", roles: [] }).subscribe("analytics:AAPL");

  bus.publish({ type: "bar", bar: bar("2026-12-02T15:00:00.000Z", 100) });
  bus.publish({ type: "bar", bar: bar("2026-12-02T15:01:00.000Z", 101) });

  await eventually(() => {
    const envelopes = client.frames.map((frame) => liveEnvelopeSchema.parse(JSON.parse(frame)));
    const indicators = envelopes.filter((envelope) => envelope.type === "indicator");
    assert.equal(envelopes.filter((envelope) => envelope.type === "bar").length, 2);
    assert.equal(indicators.length, 2);
    const last = indicatorUpdateSchema.parse(indicators[1]!.data);
    assert.equal(last.minute, "2026-12-02T15:01:00.000Z");
    assert.ok(Object.keys(last.values).length > 0);
    return true;
  }, "two bars and their two indicator updates on analytics:AAPL");
});
