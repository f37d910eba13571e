import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  opsHistoryResponseSchema,
  rejectionsByReasonResponseSchema,
  sourceEventsResponseSchema,
} from "@torghut/contracts";
import { createDb, type Database } from "@torghut/db";
import { pino } from "pino";
import { ManualClock } from "../clock";
import { insertSourceEvent, recordRejections } from "../store/repositories";
import { OpsHistory } from "./ops-history";
import { registerOpsConsoleRoutes } from "./ops-console-routes";
import { createHttpServer } from "./server";

const HOUR = 3_600_000;
const T0 = Date.parse("2026-12-02T15:00:00Z");

describe("ops console routes (PGlite)", () => {
  let db: Database;
  const clock = new ManualClock(T0);
  let rate = 10;
  const history = new OpsHistory(
    clock,
    () => ({ messageRate: rate++, feedLagMs: 40, writerLagMs: null, clients: 3 }),
    { intervalMs: 5_000, keep: 4 },
  );
  const app = () => {
    const server = createHttpServer({ logger: pino({ level: "silent" }) });
    registerOpsConsoleRoutes(server, { database: db, clock, history });
    return server;
  };

  before(async () => {
    db = await createDb({ inMemory: true });
    const at = (h: number) => T0 - h * HOUR;
    await insertSourceEvent(db, {
      fromState: "PRIMARY_ACTIVE",
      toState: "FALLBACK_ACTIVE",
      reason: "alpaca silent 30 s",
      actor: "system",
      at: at(30),
    });
    await insertSourceEvent(db, {
      fromState: "FALLBACK_ACTIVE",
      toState: "PRIMARY_ACTIVE",
      reason: "alpaca recovered",
      actor: "system",
      at: at(10),
    });
    await insertSourceEvent(db, {
      fromState: "PRIMARY_ACTIVE",
      toState: "FALLBACK_ACTIVE",
      reason: "ops failover: ok from 10.0.0.7",
      actor: "alice",
      at: at(2),
    });
    await insertSourceEvent(db, {
      fromState: "FALLBACK_ACTIVE",
      toState: "PRIMARY_ACTIVE",
      reason: "ops automatic: ok 100%_done",
      actor: "bob",
      at: at(1),
    });
    await recordRejections(db, [
      {
        symbol: "AAPL",
        source: "alpaca",
        eventTime: null,
        reason: "future_timestamp",
        payload: {},
        at: at(3),
      },
      {
        symbol: "MSFT",
        source: "alpaca",
        eventTime: null,
        reason: "future_timestamp",
        payload: {},
        at: at(2),
      },
      {
        symbol: "MSFT",
        source: "yahoo",
        eventTime: null,
        reason: "non_positive_price",
        payload: {},
        at: at(1),
      },
      {
        symbol: "MSFT",
        source: "yahoo",
        eventTime: null,
        reason: "non_positive_price",
        payload: {},
        at: at(40),
      },
    ]);
  });
  after(async () => {
    history.stop();
    await db.close();
  });

  test("24 hours of the audit log, newest first, with the state in force when the window opened", async () => {
    const response = await app().inject({ url: "/api/health/events" });
    assert.equal(response.statusCode, 200);
    const body = sourceEventsResponseSchema.parse(response.json());
    assert.deepEqual(
      body.events.map((e) => e.actor),
      ["bob", "alice", "system"],
    );
    // The 30-hour-old failover is outside the window: it set the state the window starts in.
    assert.equal(body.stateAtStart, "FALLBACK_ACTIVE");
  });

  test("filters: actor, state, words of the reason (LIKE wildcards taken literally)", async () => {
    const get = async (query: string) =>
      sourceEventsResponseSchema.parse((await app().inject({ url: `/api/health/events?${query}` })).json())
        .events;
    assert.deepEqual(
      (await get("actor=alice")).map((e) => e.reason),
      ["ops failover: ok from 10.0.0.7"],
    );
    assert.equal((await get("hours=48&state=FALLBACK_ACTIVE")).length, 4);
    assert.deepEqual(
      (await get("q=RECOVERED")).map((e) => e.actor),
      ["system"],
    );
    assert.deepEqual(
      (await get("q=100%25_")).map((e) => e.actor),
      ["bob"],
    );
    assert.deepEqual(await get("q=0%25d"), []);
    const bad = await app().inject({ url: "/api/health/events?state=SIDEWAYS&limit=0" });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ message: string }>().message, /state: .*limit: /);
  });

  test("validation failures by reason in the window", async () => {
    const body = rejectionsByReasonResponseSchema.parse(
      (await app().inject({ url: "/api/health/rejections?hours=24" })).json(),
    );
    assert.equal(body.total, 3);
    assert.deepEqual(
      body.byReason.map((r) => [r.reason, r.count]),
      [
        ["future_timestamp", 2],
        ["non_positive_price", 1],
      ],
    );
  });

  test("the live figures' history: one sample per interval, the oldest dropped past `keep`", async () => {
    history.start();
    for (let i = 0; i < 5; i++) clock.advance(5_000);
    const body = opsHistoryResponseSchema.parse((await app().inject({ url: "/api/health/history" })).json());
    assert.equal(body.intervalMs, 5_000);
    assert.deepEqual(
      body.samples.map((s) => [s.at - T0, s.messageRate]),
      [
        [10_000, 12],
        [15_000, 13],
        [20_000, 14],
        [25_000, 15],
      ],
    );
    assert.equal(body.samples[0]!.clients, 3);
  });
});
