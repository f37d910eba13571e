import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { applyEvent, type RouterEvent } from "./events";
import { initialFacts, type RouterFacts, type RouterState } from "./states";
import { decide, GUARDS, TRANSITIONS, type GuardInput } from "./transitions";

const NOW = 1_000_000;
const GRACE = 10_000;
const base = (): RouterFacts => ({ ...initialFacts(true, GRACE) });
/** Primary up since long enough, with data seen: what failback needs. */
const stablePrimary: Partial<RouterFacts> = {
  primaryUp: true,
  primaryStableSince: NOW - GRACE,
  primaryDataSinceRecovery: true,
  primaryFailureReason: null,
};
const primaryDown: Partial<RouterFacts> = {
  primaryUp: false,
  primaryFailureReason: "timeout: no data for 30s",
};
const yahooDown: Partial<RouterFacts> = { fallbackUp: false, fallbackFailureReason: "429 Too Many Requests" };

interface RowCase {
  name: string;
  from: RouterState;
  event: RouterEvent;
  facts: Partial<RouterFacts>;
  to: RouterState;
  row: number;
  reason: RegExp;
}

// One case per row of TRANSITIONS; the completeness test below fails when a row is added without one.
const ROW_CASES: RowCase[] = [
  {
    name: "delay elapsed, Yahoo up → fallback",
    from: "PRIMARY_ACTIVE",
    event: { type: "ACTIVATION_DELAY_ELAPSED" },
    facts: primaryDown,
    to: "FALLBACK_ACTIVE",
    row: 0,
    reason: /^Alpaca timeout: no data for 30s$/,
  },
  {
    name: "delay elapsed, Yahoo down → both",
    from: "PRIMARY_ACTIVE",
    event: { type: "ACTIVATION_DELAY_ELAPSED" },
    facts: { ...primaryDown, ...yahooDown },
    to: "BOTH_UNAVAILABLE",
    row: 1,
    reason: /Alpaca timeout.*; Yahoo 429/,
  },
  {
    name: "manual failover",
    from: "PRIMARY_ACTIVE",
    event: { type: "FORCE_FALLBACK", actor: "ops@desk" },
    facts: {},
    to: "FALLBACK_ACTIVE",
    row: 0,
    reason: /manual failover by ops@desk/,
  },
  {
    name: "manual failover with Yahoo down",
    from: "PRIMARY_ACTIVE",
    event: { type: "FORCE_FALLBACK", actor: "ops@desk" },
    facts: yahooDown,
    to: "BOTH_UNAVAILABLE",
    row: 1,
    reason: /manual failover by ops@desk; Yahoo/,
  },
  {
    name: "primary disabled",
    from: "PRIMARY_ACTIVE",
    event: { type: "PRIMARY_DISABLED" },
    facts: {},
    to: "FALLBACK_ACTIVE",
    row: 0,
    reason: /^primary disabled$/,
  },
  {
    name: "primary disabled, Yahoo down",
    from: "PRIMARY_ACTIVE",
    event: { type: "PRIMARY_DISABLED" },
    facts: yahooDown,
    to: "BOTH_UNAVAILABLE",
    row: 1,
    reason: /^primary disabled; Yahoo/,
  },
  {
    name: "grace elapsed, primary stable → failback",
    from: "FALLBACK_ACTIVE",
    event: { type: "GRACE_ELAPSED", at: NOW },
    facts: stablePrimary,
    to: "PRIMARY_ACTIVE",
    row: 0,
    reason: /Alpaca recovered \(stable for 10s\)/,
  },
  {
    name: "Yahoo fails while Alpaca is back → primary at once",
    from: "FALLBACK_ACTIVE",
    event: { type: "FALLBACK_FAILED", reason: "down" },
    facts: { primaryUp: true, primaryStableSince: NOW - 1 },
    to: "PRIMARY_ACTIVE",
    row: 0,
    reason: /Yahoo down; Alpaca up/,
  },
  {
    name: "Yahoo fails, Alpaca down → both",
    from: "FALLBACK_ACTIVE",
    event: { type: "FALLBACK_FAILED", reason: "down" },
    facts: primaryDown,
    to: "BOTH_UNAVAILABLE",
    row: 1,
    reason: /Yahoo down; Alpaca timeout/,
  },
  {
    name: "release with stable primary",
    from: "FALLBACK_ACTIVE",
    event: { type: "RELEASE_MANUAL", actor: "ops@desk" },
    facts: { ...stablePrimary, forcedFallback: true },
    to: "PRIMARY_ACTIVE",
    row: 0,
    reason: /returned to automatic by ops@desk/,
  },
  {
    name: "both: Alpaca recovers first",
    from: "BOTH_UNAVAILABLE",
    event: { type: "PRIMARY_RECOVERED", at: NOW },
    facts: { ...primaryDown, ...yahooDown },
    to: "PRIMARY_ACTIVE",
    row: 0,
    reason: /^Alpaca recovered$/,
  },
  {
    name: "both: Yahoo recovers first",
    from: "BOTH_UNAVAILABLE",
    event: { type: "FALLBACK_RECOVERED" },
    facts: { ...primaryDown, ...yahooDown },
    to: "FALLBACK_ACTIVE",
    row: 0,
    reason: /^Yahoo recovered$/,
  },
  {
    name: "both: Alpaca session up while the market is closed",
    from: "BOTH_UNAVAILABLE",
    event: { type: "PRIMARY_SESSION_UP", at: NOW },
    facts: { ...primaryDown, ...yahooDown, marketOpen: false },
    to: "PRIMARY_ACTIVE",
    row: 0,
    reason: /^Alpaca session up \(market closed: no data due\)$/,
  },
  {
    name: "both: the market closes with an Alpaca session up",
    from: "BOTH_UNAVAILABLE",
    event: { type: "MARKET_CLOSED", at: NOW },
    facts: { ...primaryDown, ...yahooDown, primarySessionUp: true },
    to: "PRIMARY_ACTIVE",
    row: 0,
    reason: /^market closed; Alpaca session up/,
  },
  {
    name: "both: release with Alpaca up",
    from: "BOTH_UNAVAILABLE",
    event: { type: "RELEASE_MANUAL", actor: "ops@desk" },
    facts: { primaryUp: true, forcedFallback: true, ...yahooDown },
    to: "PRIMARY_ACTIVE",
    row: 0,
    reason: /returned to automatic by ops@desk/,
  },
];

function run(from: RouterState, event: RouterEvent, facts: Partial<RouterFacts>) {
  const after = applyEvent({ ...base(), ...facts }, event);
  return decide(from, { facts: after, event, now: NOW });
}

describe("transition table rows", () => {
  for (const c of ROW_CASES) {
    test(`${c.from} + ${c.event.type}: ${c.name}`, () => {
      const decision = run(c.from, c.event, c.facts);
      assert.ok(decision, "expected a transition");
      assert.equal(decision.to, c.to);
      assert.match(decision.reason, c.reason);
      assert.equal(TRANSITIONS[c.from][c.event.type]![c.row]!.to, c.to);
    });
  }

  test("every row of the table has a case", () => {
    const covered = new Set(ROW_CASES.map((c) => `${c.from}/${c.event.type}/${c.row}`));
    for (const [state, byEvent] of Object.entries(TRANSITIONS)) {
      for (const [event, rows] of Object.entries(byEvent)) {
        rows.forEach((_, i) =>
          assert.ok(covered.has(`${state}/${event}/${i}`), `no case for ${state}/${event}/${i}`),
        );
      }
    }
  });
});

describe("guards block transitions", () => {
  const blocked: { name: string; from: RouterState; event: RouterEvent; facts: Partial<RouterFacts> }[] = [
    {
      name: "delay elapsed but primary came back (stale timer)",
      from: "PRIMARY_ACTIVE",
      event: { type: "ACTIVATION_DELAY_ELAPSED" },
      facts: { primaryUp: true },
    },
    {
      name: "grace elapsed but not long enough",
      from: "FALLBACK_ACTIVE",
      event: { type: "GRACE_ELAPSED", at: NOW },
      facts: { ...stablePrimary, primaryStableSince: NOW - GRACE + 1 },
    },
    {
      name: "grace elapsed but no data during it",
      from: "FALLBACK_ACTIVE",
      event: { type: "GRACE_ELAPSED", at: NOW },
      facts: { ...stablePrimary, primaryDataSinceRecovery: false },
    },
    {
      name: "grace elapsed but forced fallback holds",
      from: "FALLBACK_ACTIVE",
      event: { type: "GRACE_ELAPSED", at: NOW },
      facts: { ...stablePrimary, forcedFallback: true },
    },
    {
      name: "grace elapsed but primary disabled",
      from: "FALLBACK_ACTIVE",
      event: { type: "GRACE_ELAPSED", at: NOW },
      facts: { ...stablePrimary, primaryEnabled: false },
    },
    {
      name: "grace damped: 10 s is not enough when 40 s are in force",
      from: "FALLBACK_ACTIVE",
      event: { type: "GRACE_ELAPSED", at: NOW },
      facts: { ...stablePrimary, effectiveGraceMs: 4 * GRACE },
    },
    {
      name: "release while primary still recovering",
      from: "FALLBACK_ACTIVE",
      event: { type: "RELEASE_MANUAL", actor: "a" },
      facts: { ...stablePrimary, primaryStableSince: NOW - 1, forcedFallback: true },
    },
    {
      name: "both: Alpaca recovers but forced fallback holds",
      from: "BOTH_UNAVAILABLE",
      event: { type: "PRIMARY_RECOVERED", at: NOW },
      facts: { ...primaryDown, ...yahooDown, forcedFallback: true },
    },
    {
      name: "both: Alpaca 'recovers' while disabled",
      from: "BOTH_UNAVAILABLE",
      event: { type: "PRIMARY_RECOVERED", at: NOW },
      facts: { ...primaryDown, ...yahooDown, primaryEnabled: false },
    },
    {
      name: "both: a session during the market session is not a recovery",
      from: "BOTH_UNAVAILABLE",
      event: { type: "PRIMARY_SESSION_UP", at: NOW },
      facts: { ...primaryDown, ...yahooDown },
    },
    {
      name: "both: the market closes but Alpaca has no session",
      from: "BOTH_UNAVAILABLE",
      event: { type: "MARKET_CLOSED", at: NOW },
      facts: { ...primaryDown, ...yahooDown, primarySessionUp: false },
    },
    {
      name: "grace elapsed with no data during the session (a handshake only)",
      from: "FALLBACK_ACTIVE",
      event: { type: "GRACE_ELAPSED", at: NOW },
      facts: { ...stablePrimary, primaryDataSinceRecovery: false, primarySessionUp: true },
    },
    {
      name: "both: release with Alpaca still down",
      from: "BOTH_UNAVAILABLE",
      event: { type: "RELEASE_MANUAL", actor: "a" },
      facts: { ...primaryDown, ...yahooDown, forcedFallback: true },
    },
  ];
  for (const c of blocked) {
    test(c.name, () => assert.equal(run(c.from, c.event, c.facts), null));
  }

  test("Yahoo failing while forced goes to BOTH_UNAVAILABLE even with Alpaca up", () => {
    const decision = run(
      "FALLBACK_ACTIVE",
      { type: "FALLBACK_FAILED", reason: "down" },
      { ...stablePrimary, forcedFallback: true },
    );
    assert.equal(decision?.to, "BOTH_UNAVAILABLE");
  });

  test("pairs missing from the table change facts only", () => {
    const events: RouterEvent[] = [
      { type: "PRIMARY_FAILED", reason: "x" },
      { type: "PRIMARY_DATA" },
      { type: "RECONNECT_PRIMARY", actor: "a" },
      { type: "FALLBACK_FAILED", reason: "x" },
      { type: "GRACE_CHANGED", graceMs: 1 },
    ];
    for (const event of events) assert.equal(run("PRIMARY_ACTIVE", event, {}), null, event.type);
    assert.equal(run("FALLBACK_ACTIVE", { type: "FORCE_FALLBACK", actor: "a" }, {}), null);
    assert.equal(run("BOTH_UNAVAILABLE", { type: "PRIMARY_DISABLED" }, {}), null);
  });
});

describe("each guard on its own", () => {
  const input = (facts: Partial<RouterFacts>, now = NOW): GuardInput => ({
    facts: { ...base(), ...facts },
    event: { type: "GRACE_ELAPSED", at: now },
    now,
  });
  const cases: [keyof typeof GUARDS, Partial<RouterFacts>, Partial<RouterFacts>][] = [
    ["primaryDown", { primaryUp: false }, { primaryUp: true }],
    ["primaryUp", { primaryUp: true }, { primaryUp: false }],
    ["fallbackUp", { fallbackUp: true }, { fallbackUp: false }],
    ["fallbackDown", { fallbackUp: false }, { fallbackUp: true }],
    ["notForced", { forcedFallback: false }, { forcedFallback: true }],
    ["primaryEnabled", { primaryEnabled: true }, { primaryEnabled: false }],
    ["primaryStable", stablePrimary, { ...stablePrimary, primaryStableSince: null }],
    ["primaryUsableNow", { primaryUp: true }, { primaryUp: true, forcedFallback: true }],
    ["marketClosed", { marketOpen: false }, { marketOpen: true }],
    ["silenceIsFailure", { primaryUp: true, marketOpen: true }, { primaryUp: true, marketOpen: false }],
  ];
  for (const [name, holds, fails] of cases) {
    test(name, () => {
      assert.equal(GUARDS[name].test(input(holds)), true);
      assert.equal(GUARDS[name].test(input(fails)), false);
    });
  }
  test("every guard has a case", () => {
    assert.deepEqual(new Set(cases.map((c) => c[0])), new Set(Object.keys(GUARDS)));
  });
});

describe("facts reducer", () => {
  test("a recovery after a failure starts the stability clock; a repeated one keeps it", () => {
    let facts = applyEvent(base(), { type: "PRIMARY_FAILED", reason: "x" });
    facts = applyEvent(facts, { type: "PRIMARY_RECOVERED", at: 5 });
    assert.equal(facts.primaryStableSince, 5);
    facts = applyEvent(facts, { type: "PRIMARY_RECOVERED", at: 9 });
    assert.equal(facts.primaryStableSince, 5);
    facts = applyEvent(facts, { type: "PRIMARY_DATA" });
    assert.equal(facts.primaryDataSinceRecovery, true);
  });
  test("a session recovers the primary only while the market is closed", () => {
    const failed = applyEvent(base(), { type: "PRIMARY_FAILED", reason: "timeout" });
    const open = applyEvent(failed, { type: "PRIMARY_SESSION_UP", at: 5 });
    assert.deepEqual([open.primaryUp, open.primarySessionUp], [false, true]);
    const closed = applyEvent({ ...failed, marketOpen: false }, { type: "PRIMARY_SESSION_UP", at: 5 });
    assert.deepEqual([closed.primaryUp, closed.primaryStableSince], [true, 5]);
    assert.equal(applyEvent(closed, { type: "PRIMARY_SESSION_LOST", reason: "x" }).primarySessionUp, false);
  });
  test("the close forgives silence only with a session; the open changes nothing else", () => {
    const silent = applyEvent({ ...base(), primarySessionUp: true }, { type: "PRIMARY_FAILED", reason: "t" });
    const closed = applyEvent(silent, { type: "MARKET_CLOSED", at: 7 });
    assert.deepEqual([closed.marketOpen, closed.primaryUp, closed.primaryStableSince], [false, true, 7]);
    const noSession = applyEvent({ ...silent, primarySessionUp: false }, { type: "MARKET_CLOSED", at: 7 });
    assert.equal(noSession.primaryUp, false);
    assert.deepEqual(applyEvent(closed, { type: "MARKET_OPENED", at: 9 }), { ...closed, marketOpen: true });
  });
  test("a disabled primary never recovers", () => {
    const facts = applyEvent(applyEvent(base(), { type: "PRIMARY_DISABLED" }), {
      type: "PRIMARY_RECOVERED",
      at: 1,
    });
    assert.equal(facts.primaryUp, false);
  });
});
