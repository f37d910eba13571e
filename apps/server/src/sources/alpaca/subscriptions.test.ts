import assert from "node:assert/strict";
import { test } from "node:test";
import { DesiredSubscriptions } from "./subscriptions";

test("desired set: full request, diffs on replace, refused symbols", () => {
  const desired = new DesiredSubscriptions(["msft", "AAPL", "AAPL"], {
    trades: true,
    quotes: true,
    bars: false,
  });
  assert.deepEqual(desired.full(), { trades: ["AAPL", "MSFT"], quotes: ["AAPL", "MSFT"], bars: [] });
  const { added, removed } = desired.replace(["AAPL", "TSLA"]);
  assert.deepEqual(added?.trades, ["TSLA"]);
  assert.deepEqual(removed?.trades, ["MSFT"]);
  assert.deepEqual(desired.refused(["AAPL"]), ["TSLA"]);
  assert.deepEqual(desired.replace(["TSLA", "AAPL"]), { added: null, removed: null });
});
