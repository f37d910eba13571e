import assert from "node:assert/strict";
import { test } from "node:test";
import { minuteBarsOf, parseChart, priceOf } from "./chart-parser";
import { YahooMalformedResponseError } from "./errors";

const t0 = Date.parse("2026-12-02T15:00:00Z") / 1000;
const body = {
  meta: { symbol: "AAPL", regularMarketPrice: 190.5, regularMarketTime: t0 + 120 },
  timestamp: [t0, t0 + 60, t0 + 120],
  indicators: {
    quote: [
      {
        open: [190, null, 191],
        high: [190.2, null, 191.4],
        low: [189.9, null, 190.8],
        close: [190.1, null, 191.2],
        volume: [1000, null, 900],
      },
    ],
  },
};

test("a chart body without the price fields is a malformed answer, not a crash", () => {
  assert.throws(() => parseChart({ meta: { symbol: "AAPL" } }, "AAPL"), YahooMalformedResponseError);
});

test("the price is delayed unless Yahoo names a real-time source", () => {
  const price = priceOf("AAPL", parseChart(body, "AAPL"));
  assert.deepEqual(price, { symbol: "AAPL", price: 190.5, time: (t0 + 120) * 1000, delayed: true });
});

test("minutes without trades and minutes outside the window are skipped", () => {
  const bars = minuteBarsOf("AAPL", parseChart(body, "AAPL"), t0 * 1000, (t0 + 120) * 1000);
  assert.deepEqual(
    bars.map((bar) => [bar.minute, bar.close, bar.source]),
    [["2026-12-02T15:00:00.000Z", 190.1, "backfill"]],
  );
});
