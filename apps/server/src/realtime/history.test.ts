import assert from "node:assert/strict";
import { test } from "node:test";
import { ChannelHistory } from "./history";

test("recovers exactly what was missed inside the window, nothing partial outside it", () => {
  const history = new ChannelHistory("lines:AAPL", "e1", 3);
  for (let i = 1; i <= 5; i++) history.append("tick", "lines:AAPL#tick", { i }, i);
  assert.equal(history.offset, 5);
  const ok = history.recover({ offset: 2, epoch: "e1" });
  assert.ok(ok.recovered);
  assert.deepEqual(
    ok.missed.map((p) => p.offset),
    [3, 4, 5],
  );
  assert.deepEqual(history.recover({ offset: 5, epoch: "e1" }), { recovered: true, missed: [] });
  assert.equal(history.recover({ offset: 1, epoch: "e1" }).recovered, false);
  assert.equal(history.recover({ offset: 6, epoch: "e1" }).recovered, false);
  assert.equal(history.recover({ offset: 4, epoch: "e0" }).recovered, false);
});

test("latest keeps the newest publication per conflation key", () => {
  const history = new ChannelHistory("analytics:AAPL", "e1", 8);
  history.append("bar", "analytics:AAPL#bar", { close: 1 }, 1);
  history.append("indicator", "analytics:AAPL#indicator", { rsi: 40 }, 2);
  history.append("bar", "analytics:AAPL#bar", { close: 2 }, 3);
  assert.deepEqual(
    history.latest().map((p) => [p.type, p.offset]),
    [
      ["indicator", 2],
      ["bar", 3],
    ],
  );
});
