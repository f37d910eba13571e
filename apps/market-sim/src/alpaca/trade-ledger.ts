/**
 * Which trades the stream delivered, for tests that count them against what the client stored
 * (`recordTrades: true`). Keyed `SYMBOL:id`, with the wall-clock time of the send, so a test can ask
 * "everything sent before I killed the client". Off by default: it grows with every trade.
 */
export class TradeLedger {
  private readonly sent = new Map<string, number>();

  record(symbol: string, id: number, atMs: number): void {
    const key = `${symbol}:${id}`;
    if (!this.sent.has(key)) this.sent.set(key, atMs);
  }

  /** Keys of the trades delivered at or before `untilMs` (every one by default). */
  keys(untilMs = Number.POSITIVE_INFINITY): string[] {
    const keys: string[] = [];
    for (const [key, at] of this.sent) if (at <= untilMs) keys.push(key);
    return keys;
  }
}
