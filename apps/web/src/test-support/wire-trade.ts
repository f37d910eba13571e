/**
 * A trade exactly as the hub sends it on `lines:{symbol}` (contracts' liveTradeSchema, unparsed):
 * the web tests feed the page's parsers what the wire carries. `over` replaces or adds fields
 * (a `minuteBar`, a malformed price).
 */
export function wireTrade(price: number, eventTime: string, over: Record<string, unknown> = {}) {
  return {
    kind: "trade",
    symbol: "AAPL",
    eventTime,
    receivedAt: Date.parse(eventTime),
    source: "alpaca",
    delayed: false,
    price,
    size: 10,
    tradeId: `${eventTime}:${price}`,
    exchange: "V",
    conditions: ["@"],
    tape: "C",
    suspicious: false,
    ...over,
  };
}
