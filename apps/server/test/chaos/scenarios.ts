import type { ChaosStack, StocksBody } from "./chaos-stack";

/** What a fault must make the public API say, once detected. */
export type Expectation =
  /** The primary's data stopped: not `live` any more (stale, or delayed from Yahoo). */
  | "not-live"
  /** Both sources down: `stale`, never `delayed` with old prices. */
  | "stale"
  /** The market closed: `market-closed`, and no failover. */
  | "market-closed"
  /** One symbol stopped: its row stale, the feed still live. */
  | "symbol-stale";

export interface Scenario {
  name: string;
  expect: Expectation;
  /** A failover is expected, so the first Yahoo price is measured. */
  fallbackPrice: boolean;
  inject(stack: ChaosStack): Promise<void> | void;
  heal(stack: ChaosStack): Promise<void> | void;
  /** The hold ends only once this holds too (e.g. BOTH_UNAVAILABLE reached). */
  settled?(body: StocksBody): boolean;
  /** Extra condition on the settled state, at the end of the hold (e.g. what lastError must say). */
  check?(body: StocksBody): string | null;
  /** How long recovery may take (flap damping lengthens it). */
  recoveryMs?: number;
}

const alpaca = (stack: ChaosStack, fault: string, extra: Record<string, unknown> = {}) =>
  stack.sim.control.setFault({ target: "alpaca", fault: fault as "down", ...extra });
const yahoo = (stack: ChaosStack, fault: string) =>
  stack.sim.control.setFault({ target: "yahoo", fault: fault as "down" });
const clear = (stack: ChaosStack) => stack.sim.control.clearFaults();
const lastError = (pattern: RegExp, of: "alpaca" | "yahoo") => (body: StocksBody) =>
  pattern.test(body[of].lastError ?? "")
    ? null
    : `${of}.lastError ${JSON.stringify(body[of].lastError)} !~ ${pattern}`;

/** Every fault shape of issue #14, each from outside the client code (simulator or TCP proxy). */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: "silent but connected",
    expect: "not-live",
    fallbackPrice: true,
    inject: (s) => alpaca(s, "silent"),
    heal: clear,
  },
  {
    name: "pings unanswered (stream stops reading)",
    expect: "not-live",
    fallbackPrice: true,
    inject: (s) => alpaca(s, "stall"),
    heal: clear,
    recoveryMs: 60_000,
  },
  {
    name: "black-holed route (no data, no pongs)",
    expect: "not-live",
    fallbackPrice: true,
    inject: (s) => s.streamProxy.set("blackhole"),
    heal: (s) => s.streamProxy.set("pass"),
  },
  {
    name: "half-open TCP (no FIN)",
    expect: "not-live",
    fallbackPrice: true,
    inject: (s) => s.streamProxy.set("half-open"),
    heal: (s) => s.streamProxy.set("pass"),
  },
  {
    name: "connection reset",
    expect: "not-live",
    fallbackPrice: true,
    inject: (s) => s.streamProxy.set("reset"),
    heal: (s) => s.streamProxy.set("pass"),
  },
  {
    name: "slow drip (1 message / 3 s)",
    expect: "not-live",
    fallbackPrice: false,
    inject: (s) => alpaca(s, "drip", { seconds: 3 }),
    heal: clear,
  },
  ...[404, 401, 406].map((status): Scenario => ({
    name: `HTTP ${status} on the upgrade`,
    expect: "not-live",
    fallbackPrice: true,
    inject: (s) => alpaca(s, "upgrade-status", { status }),
    heal: clear,
    ...(status === 404 ? { check: lastError(/check ALPACA_STREAM_URL/, "alpaca") } : {}),
    ...(status === 401 ? { check: lastError(/check ALPACA_KEY_ID/, "alpaca") } : {}),
  })),
  {
    name: "HTTP 429 on the upgrade",
    expect: "not-live",
    fallbackPrice: true,
    inject: (s) => {
      alpaca(s, "429");
      alpaca(s, "drop", { durationMs: 200 });
    },
    heal: clear,
  },
  {
    name: "402 auth failed (bad keys)",
    expect: "not-live",
    fallbackPrice: true,
    inject: (s) => {
      alpaca(s, "auth-fail");
      alpaca(s, "drop", { durationMs: 200 });
    },
    // An operator fixes the keys, then asks for a reconnect: no restart.
    heal: async (s) => {
      clear(s);
      await s.reconnect();
    },
    check: lastError(/402: auth failed — check ALPACA_KEY_ID/, "alpaca"),
  },
  {
    name: "both down: Yahoo hangs",
    expect: "stale",
    fallbackPrice: false,
    settled: (body) => body.connectionState === "BOTH_UNAVAILABLE",
    inject: (s) => {
      yahoo(s, "hang");
      alpaca(s, "down");
    },
    heal: clear,
    check: lastError(/did not answer within/, "yahoo"),
  },
  {
    name: "both down: Yahoo 429",
    expect: "stale",
    fallbackPrice: false,
    settled: (body) => body.connectionState === "BOTH_UNAVAILABLE",
    inject: (s) => {
      yahoo(s, "429");
      alpaca(s, "down");
    },
    heal: clear,
    check: lastError(/429/, "yahoo"),
  },
  {
    name: "both down: Yahoo 5xx",
    expect: "stale",
    fallbackPrice: false,
    settled: (body) => body.connectionState === "BOTH_UNAVAILABLE",
    inject: (s) => {
      yahoo(s, "down");
      alpaca(s, "down");
    },
    heal: clear,
    check: lastError(/HTTP 503/, "yahoo"),
  },
  {
    name: "both down: Yahoo answers HTML",
    expect: "stale",
    fallbackPrice: false,
    settled: (body) => body.connectionState === "BOTH_UNAVAILABLE",
    inject: (s) => {
      yahoo(s, "html");
      alpaca(s, "down");
    },
    heal: clear,
    check: lastError(/HTML page instead of JSON/, "yahoo"),
  },
  {
    name: "market closed",
    expect: "market-closed",
    fallbackPrice: false,
    inject: (s) => s.sim.control.setMarketOpen(false),
    heal: (s) => s.sim.control.setMarketOpen(true),
  },
  {
    name: "halted symbol (TSLA)",
    expect: "symbol-stale",
    fallbackPrice: false,
    inject: (s) => alpaca(s, "halt", { symbol: "TSLA" }),
    heal: clear,
  },
  {
    name: "flapping primary",
    expect: "not-live",
    fallbackPrice: true,
    // Five 3 s outages, 4.5 s apart (each longer than MESSAGE_TIMEOUT_SECONDS): a schedule of faults
    // (the simulator holds one of a kind at a time).
    inject: (s) => {
      for (let i = 0; i < 5; i++)
        setTimeout(() => alpaca(s, "down", { durationMs: 3_000 }), i * 4_500).unref();
    },
    heal: async (s) => {
      await new Promise((resolve) => setTimeout(resolve, 22_500).unref());
      clear(s);
    },
    recoveryMs: 60_000,
  },
];

/** The short run inside `npm test`: one of each kind, well under two minutes. */
export const SHORT_RUN = [
  "silent but connected",
  "half-open TCP (no FIN)",
  "HTTP 404 on the upgrade",
  "both down: Yahoo hangs",
  "market closed",
  "halted symbol (TSLA)",
];
