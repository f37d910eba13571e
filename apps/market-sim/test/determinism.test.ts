import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { startSimulator } from "../src/index";
import type { Msg } from "./helpers";
import { drained, eventually, startManual, StreamClient } from "./helpers";

async function ticks(seed: number, steps: number[]): Promise<Msg[]> {
  const sim = await startManual({ seed, tradesPerSecond: 400 });
  try {
    const client = await StreamClient.open(sim, "sip");
    await client.authenticate();
    await client.request({ action: "subscribe", trades: ["*"], quotes: ["AAPL", "MSFT"], bars: ["*"] });
    const from = client.messages.length;
    for (const ms of steps) sim.control.advance(ms);
    await drained(sim, client);
    return client.messages.slice(from);
  } finally {
    await sim.close();
  }
}

describe("determinism", () => {
  test("the same seed gives the same ticks, however the clock is advanced", async () => {
    const a = await ticks(11, [65_000]);
    const b = await ticks(11, [1, 999, 20_000, 44_000]);
    assert.ok(a.length > 20_000);
    assert.deepEqual(b, a);
  });

  test("a different seed gives different ticks", async () => {
    const a = await ticks(11, [2_000]);
    const c = await ticks(12, [2_000]);
    assert.notDeepEqual(c, a);
  });

  test("the real-time clock streams on its own", async () => {
    const sim = await startSimulator({ port: 0, seed: 3, tradesPerSecond: 2_000 });
    try {
      const client = await StreamClient.open(sim, "sip");
      await client.authenticate();
      await client.request({ action: "subscribe", trades: ["*"] });
      await eventually(() => client.of("t").length >= 100, "live trades");
      assert.throws(() => sim.control.advance(1_000), /manualClock/);
    } finally {
      await sim.close();
    }
  });
});
