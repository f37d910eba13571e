import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { tradeSchema } from "@torghut/contracts";
import { eventually } from "@torghut/testing";
import type { MarketDataSource, SourceEvent } from "../../src/sources/source";

/**
 * The behaviour every MarketDataSource adapter must show, run against its real upstream (the
 * simulator): Alpaca's stream test and the Yahoo adapter's test both call `sourceContract`.
 */
export interface SourceHarness {
  /** A started source (start() already called) wired to a healthy upstream, delivering `symbols`. */
  source: MarketDataSource;
  symbols: readonly string[];
  /** Make the upstream fail (refuse, drop, 5xx) so the adapter's session or polls fail. */
  breakUpstream(): void | Promise<void>;
  /** Heal the upstream; the adapter must recover by itself. */
  restoreUpstream(): void | Promise<void>;
  /** Called while polling: drive injected clocks here (no-op for real time). */
  pump?: () => void;
  /** Stop the source (if still running) and the upstream. */
  close(): Promise<void>;
}

/** Records a source's events for assertions. */
export function recordEvents(source: MarketDataSource): {
  events: SourceEvent[];
  count(type: SourceEvent["type"]): number;
  stop(): void;
} {
  const events: SourceEvent[] = [];
  const stop = source.onEvent((event) => events.push(event));
  return { events, stop, count: (type) => events.filter((e) => e.type === type).length };
}

export function sourceContract(name: string, makeHarness: () => Promise<SourceHarness>): void {
  describe(`MarketDataSource contract: ${name}`, () => {
    test("comes up, reports health and delivers contract-valid trades for its symbols", async () => {
      const harness = await makeHarness();
      try {
        const { source } = harness;
        const log = recordEvents(source);
        await eventually(() => source.health().healthy, "healthy", { pump: harness.pump });
        const trade = await eventually(() => log.events.find((e) => e.type === "trade"), "a trade", {
          pump: harness.pump,
        });
        assert.ok(tradeSchema.safeParse(trade.trade).success, "trade matches the contract");
        assert.equal(trade.trade.source, source.name);
        assert.ok(harness.symbols.includes(trade.trade.symbol));
        const health = source.health();
        assert.equal(health.configurationError, false);
        assert.ok(health.lastSuccessAt !== null);
        assert.ok(health.messagesReceived > 0);
        assert.ok(health.lastMessageAt !== null);
      } finally {
        await harness.close();
      }
    });

    test("an upstream failure is reported and the source recovers on its own", async () => {
      const harness = await makeHarness();
      try {
        const { source } = harness;
        const log = recordEvents(source);
        await eventually(() => source.health().healthy, "healthy", { pump: harness.pump });
        const upBefore = log.count("up");
        await harness.breakUpstream();
        const failure = await eventually(() => log.events.find((e) => e.type === "failure"), "failure", {
          pump: harness.pump,
        });
        assert.equal(failure.retryable, true);
        await eventually(() => !source.health().healthy, "unhealthy", { pump: harness.pump });
        assert.ok(source.health().consecutiveFailures >= 1);
        assert.ok(source.health().lastError !== null);
        await harness.restoreUpstream();
        await eventually(() => log.count("up") > upBefore && source.health().healthy, "recovered", {
          pump: harness.pump,
          timeoutMs: 10_000,
        });
        assert.equal(source.health().consecutiveFailures, 0);
        assert.ok(source.health().reconnectAttempts >= 1);
      } finally {
        await harness.close();
      }
    });

    test("setSymbols narrows what is delivered; stop ends events and is idempotent", async () => {
      const harness = await makeHarness();
      try {
        const { source } = harness;
        await eventually(() => source.health().healthy, "healthy", { pump: harness.pump });
        const only = harness.symbols[0]!;
        source.setSymbols([only]);
        await eventually(() => source.health().subscribedSymbols.join() === only, "narrowed subscription", {
          pump: harness.pump,
        });
        const log = recordEvents(source);
        await eventually(() => log.count("trade") >= 3, "trades after narrowing", { pump: harness.pump });
        const symbols = new Set(log.events.flatMap((e) => (e.type === "trade" ? [e.trade.symbol] : [])));
        assert.deepEqual([...symbols], [only]);
        await source.stop();
        await source.stop();
        const after = log.events.length;
        assert.equal(source.health().connected, false);
        harness.pump?.();
        await new Promise((resolve) => setImmediate(resolve));
        assert.equal(log.events.length, after, "no events after stop");
        log.stop();
      } finally {
        await harness.close();
      }
    });
  });
}
