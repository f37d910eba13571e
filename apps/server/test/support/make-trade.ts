import type { Trade } from "@torghut/contracts";

/** A valid trade to vary in tests. */
export function makeTrade(overrides: Partial<Trade> = {}): Trade {
  return {
    kind: "trade",
    symbol: "TSLA",
    eventTime: "2026-01-05T15:00:00.123456789Z",
    receivedAt: Date.UTC(2026, 0, 5, 15, 0, 0),
    source: "alpaca",
    delayed: false,
    price: 100,
    size: 10,
    tradeId: "1",
    exchange: "V",
    conditions: ["@"],
    tape: "C",
    suspicious: false,
    ...overrides,
  };
}
