import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SignJWT } from "jose";
import { marketStatusSchema, pricePresentationSchema, symbolFreshnessSchema } from "@torghut/contracts";
import { z } from "zod";
import { OPS_AUDIENCE, signToken } from "../../src/realtime/auth";
import { listSourceEvents } from "../../src/store/repositories";
import { eventually } from "@torghut/testing";
import { getJson, startLiveServer, TEST_SECRET, type LiveServer } from "../support/live-server";

const status = z.enum(["Healthy", "Degraded", "Unhealthy"]);
const state = z.enum(["PRIMARY_ACTIVE", "FALLBACK_ACTIVE", "BOTH_UNAVAILABLE"]);
const isoOrNull = z.iso.datetime().nullable();

/** The fields the runbooks' `jq` paths read, with their types. */
const schemas = {
  alpaca: z.object({
    status,
    alpacaStatus: z.object({
      connected: z.boolean(),
      authenticated: z.boolean(),
      lastError: z.string().nullable(),
      consecutiveFailures: z.number().int(),
      subscribedSymbols: z.array(z.string()),
      lastMessageAt: isoOrNull,
      messagesReceived: z.number(),
      reconnectAttempts: z.number(),
      configurationError: z.boolean(),
    }),
  }),
  datasource: z.object({
    status,
    connectionState: state,
    fallbackCount: z.number().int(),
    lastTransition: z.object({ from: state, to: state, reason: z.string(), actor: z.string() }).nullable(),
    recentTransitions: z.array(z.object({ from: state, to: state })),
    messageRate: z.number(),
    validation: z.object({
      checked: z.number(),
      rejected: z.number(),
      failureRate: z.number(),
      rejectedByReason: z.record(z.string(), z.number()),
    }),
    crossSource: z.object({ checks: z.number(), deltasOverThreshold: z.number() }).nullable(),
    writer: z.object({ queueDepth: z.number(), committed: z.number(), commitLagMs: z.number().nullable() }),
    backfill: z.object({ minutesBackfilled: z.number(), runs: z.array(z.unknown()) }),
  }),
  stocks: z.strictObject({
    status,
    currentDataSource: z.enum(["Alpaca", "Yahoo", "None"]),
    connectionState: state,
    delayed: z.boolean(),
    pricesStale: z.boolean(),
    presentation: pricePresentationSchema,
    market: marketStatusSchema,
    lastPriceAt: isoOrNull,
    symbols: z.array(symbolFreshnessSchema),
    alpaca: z.object({
      connected: z.boolean(),
      authenticated: z.boolean(),
      lastError: z.string().nullable(),
    }),
    yahoo: z.object({
      role: z.enum(["active", "standby"]),
      healthy: z.boolean(),
      lastSuccessAt: isoOrNull,
      lastAttemptAt: isoOrNull,
      consecutiveFailures: z.number(),
    }),
    simulatedMarket: z.boolean(),
  }),
  realtime: z.object({
    status,
    ActiveHubs: z.number().int().min(1),
    TotalConnections: z.number().int(),
    checks: z.array(z.object({ name: z.string(), status, data: z.object({ TotalConnections: z.number() }) })),
  }),
  health: z.object({ status, ready: z.boolean(), checks: z.array(z.object({ name: z.string(), status })) }),
  symbols: z.object({
    symbols: z.array(
      z.object({
        symbol: z.string(),
        name: z.string(),
        assetClass: z.literal("STOCK"),
        active: z.literal(true),
      }),
    ),
  }),
};

describe("operations API against a live server on the simulator", () => {
  let live: LiveServer;
  before(async () => {
    live = await startLiveServer();
    await eventually(
      async () => (await getJson(`${live.url}/readyz`)).status === 200,
      "first readiness",
      30_000,
    );
  });
  after(async () => live.close());

  test("every health endpoint answers in the runbooks' shape", async () => {
    for (const [name, path] of [
      ["alpaca", "/api/health/alpaca"],
      ["datasource", "/api/health/datasource"],
      ["stocks", "/api/health/stocks"],
      ["realtime", "/api/health/realtime"],
      ["health", "/health"],
      ["symbols", "/api/symbols"],
    ] as const) {
      const { status: code, body } = await getJson(live.url + path);
      assert.equal(code, 200, path);
      const parsed = schemas[name].safeParse(body);
      assert.ok(parsed.success, `${path}: ${parsed.success ? "" : JSON.stringify(parsed.error.issues)}`);
    }
    const stocks = (await getJson(`${live.url}/api/health/stocks`)).body;
    assert.equal(stocks.currentDataSource, "Alpaca");
    assert.equal(stocks.status, "Healthy");
    const symbols = (await getJson(`${live.url}/api/symbols`)).body.symbols.map(
      (s: { symbol: string }) => s.symbol,
    );
    assert.deepEqual(symbols, ["AAPL", "MSFT", "NVDA", "TSLA"]);
    assert.deepEqual((await getJson(`${live.url}/healthz`)).body, { status: "ok" });
  });

  test("unknown routes are a JSON 404", async () => {
    const res = await getJson(`${live.url}/api/nope?token=secret-looking`);
    assert.equal(res.status, 404);
    assert.equal(res.body.error, "not_found");
    assert.doesNotMatch(JSON.stringify(res.body), /secret-looking/);
  });

  test("metrics are exposed on both paths and move while ingesting", async () => {
    const read = async (path: string) => (await fetch(live.url + path)).text();
    const first = await read("/metrics");
    for (const name of [
      "ws_lag_ms_bucket",
      "validation_failures_total",
      "validation_failure_rate",
      "# TYPE circuit_breaker_trips_total",
      "datasource_router_state",
      "torghut_store_writer_queue_depth",
      "message_rate",
      "alpaca_message_latency_seconds_bucket",
      "datasource_router_failovers_total",
      "nodejs_eventloop_lag_seconds",
      "torghut_realtime_connections",
    ]) {
      assert.match(first, new RegExp(`^(# TYPE )?${name}`, "m"), name);
    }
    const committed = (text: string) =>
      Number(/^torghut_store_writer_committed_ticks_total (\d+)/m.exec(text)?.[1] ?? "NaN");
    await eventually(
      async () => committed(await read("/api/metrics")) > committed(first),
      "commits to grow",
      10_000,
    );
  });

  test("ops POSTs need an admin JWT: missing, forged, expired and non-admin tokens are refused", async () => {
    const post = (path: string, token?: string) =>
      getJson(live.url + path, {
        method: "POST",
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    assert.equal((await post("/api/health/failover")).status, 401);
    const forged = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("mallory")
      .setIssuer("torghut")
      .setAudience("torghut-ops")
      .setIssuedAt()
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode("not-the-secret-at-all-0123456789"));
    assert.equal((await post("/api/health/failover", forged)).status, 401);
    const expired = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("late-admin")
      .setIssuer("torghut")
      .setAudience("torghut-ops")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(TEST_SECRET));
    const expiredRes = await post("/api/health/failover", expired);
    assert.equal(expiredRes.status, 401);
    assert.match(expiredRes.body.message, /token_expired/);
    // A hub token (what every signed-in browser gets) is for the wrong audience: refused as a token.
    const hubToken = await post("/api/health/failover", await live.token("viewer@desk"));
    assert.equal(hubToken.status, 401);
    const viewer = await post(
      "/api/health/failover",
      await signToken({ secret: TEST_SECRET, sub: "viewer@desk", audience: OPS_AUDIENCE, ttl: "5m" }),
    );
    assert.equal(viewer.status, 403);
    assert.equal((await getJson(`${live.url}/api/health/datasource`)).body.connectionState, "PRIMARY_ACTIVE");
  });

  test("an admin forces the fallback, it holds, and returning to automatic fails back; every call is audited", async () => {
    const admin = await live.token("oncall@desk", { admin: true });
    const post = (path: string) =>
      getJson(live.url + path, { method: "POST", headers: { authorization: `Bearer ${admin}` } });
    const forced = await post("/api/health/failover");
    assert.equal(forced.status, 200);
    assert.equal(forced.body.connectionState, "FALLBACK_ACTIVE");
    await eventually(
      async () => (await getJson(`${live.url}/api/health/stocks`)).body.currentDataSource === "Yahoo",
      "Yahoo to serve",
      10_000,
    );
    const stocks = (await getJson(`${live.url}/api/health/stocks`)).body;
    assert.equal(stocks.status, "Degraded");
    assert.equal(stocks.delayed, true);
    // The primary is healthy the whole time, yet the forced state holds.
    const ds = (await getJson(`${live.url}/api/health/datasource`)).body;
    assert.equal(ds.forcedMode.active, true);
    assert.equal(ds.forcedMode.actor, "oncall@desk");

    const released = await post("/api/health/automatic");
    assert.equal(released.status, 200);
    await eventually(
      async () =>
        (await getJson(`${live.url}/api/health/datasource`)).body.connectionState === "PRIMARY_ACTIVE",
      "failback",
      15_000,
    );

    const reconnect = await post("/api/health/alpaca/reconnect");
    assert.equal(reconnect.status, 200);

    const events = await eventually(
      async () => {
        const rows = await listSourceEvents(live.torghut.database, 50);
        return rows.filter((e) => e.reason.startsWith("ops ")).length >= 4 ? rows : null;
      },
      "audit rows",
      5_000,
    );
    const audit = events.filter((e) => e.reason.startsWith("ops "));
    const from = "from 127.0.0.1";
    assert.ok(audit.some((e) => e.reason === `ops failover: ok ${from}` && e.actor === "oncall@desk"));
    assert.ok(audit.some((e) => e.reason === `ops automatic: ok ${from}`));
    assert.ok(audit.some((e) => e.reason === `ops reconnect: ok ${from}`));
    assert.ok(
      audit.some(
        (e) => e.reason === `ops failover: refused (forbidden) ${from}` && e.actor === "viewer@desk",
      ),
    );
    assert.ok(
      audit.some(
        (e) => e.reason === `ops failover: refused (unauthorized) ${from}` && e.actor === "anonymous",
      ),
      "a 401 is audited too",
    );
    assert.ok(
      events.some((e) => e.toState === "FALLBACK_ACTIVE" && e.actor === "oncall@desk"),
      "the transition itself names the operator",
    );
  });

  test("readiness drops to 503 with reasons when both sources fail, and returns to 200 by itself", async () => {
    live.sim.control.setFault({ target: "alpaca", fault: "down" });
    live.sim.control.setFault({ target: "yahoo", fault: "down" });
    const down = await eventually(
      async () => {
        const res = await getJson(`${live.url}/readyz`);
        return res.status === 503 ? res : null;
      },
      "readiness 503",
      20_000,
    );
    assert.equal(down.body.status, "not_ready");
    assert.ok(down.body.reasons.length > 0);
    const stocks = await eventually(
      async () => {
        const body = (await getJson(`${live.url}/api/health/stocks`)).body;
        return body.currentDataSource === "None" ? body : null;
      },
      "BOTH_UNAVAILABLE",
      20_000,
    );
    assert.equal(stocks.status, "Unhealthy");
    assert.equal(stocks.alpaca.connected, false);
    assert.equal(stocks.yahoo.healthy, false);

    live.sim.control.clearFaults();
    await eventually(
      async () => (await getJson(`${live.url}/readyz`)).status === 200,
      "readiness back to 200",
      30_000,
    );
    await eventually(
      async () => (await getJson(`${live.url}/api/health/stocks`)).body.status === "Healthy",
      "Healthy",
      30_000,
    );
  });
});
