import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { userWatchlistSchema } from "@torghut/contracts";
import { createDb, type Database } from "@torghut/db";
import { pino } from "pino";
import { ManualClock } from "../clock";
import { createHttpServer } from "../http/server";
import { registry } from "../metrics/registry";
import { OPS_AUDIENCE, signToken, TokenVerifier } from "../realtime/auth";
import { registerWatchlistRoutes } from "./watchlist-routes";
import { SqlWatchlistStore } from "./watchlist-store";

const SECRET = "watchlist-test-secret";
const T0 = Date.parse("2026-12-02T15:00:00Z");

describe("per-user watchlist routes (PGlite, the real migrations)", () => {
  let db: Database;
  const clock = new ManualClock(T0);
  const app = () => {
    const server = createHttpServer({ logger: pino({ level: "silent" }) });
    registerWatchlistRoutes(server, {
      store: new SqlWatchlistStore(db),
      tokens: new TokenVerifier({ secrets: [SECRET] }),
      clock,
      logger: pino({ level: "silent" }),
    });
    return server;
  };
  // Tokens are signed and verified on the real clock (the verifier reads Date.now()); the manual
  // clock only stamps the saves.
  const bearer = async (sub: string, audience = undefined as typeof OPS_AUDIENCE | undefined) => ({
    authorization: `Bearer ${await signToken({ secret: SECRET, sub, ...(audience ? { audience } : {}) })}`,
  });
  const refused = async (result: string) =>
    (await registry.getSingleMetric("watchlist_requests_total")?.get())?.values.find(
      (v) => v.labels.method === "PUT" && v.labels.result === result,
    )?.value ?? 0;

  before(async () => {
    db = await createDb({ inMemory: true });
  });
  after(async () => {
    await db.close();
  });

  test("a user with no saved list reads null; a save is read back in order, per subject", async () => {
    const server = app();
    const first = await server.inject({
      method: "GET",
      url: "/api/me/watchlist",
      headers: await bearer("alice"),
    });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(userWatchlistSchema.parse(first.json()), { symbols: null, updatedAt: null });

    const put = await server.inject({
      method: "PUT",
      url: "/api/me/watchlist",
      headers: await bearer("alice"),
      payload: { symbols: ["NVDA", "AAPL", "BRK.B"] },
    });
    assert.equal(put.statusCode, 200);
    assert.deepEqual(put.json(), {
      symbols: ["NVDA", "AAPL", "BRK.B"],
      updatedAt: new Date(T0).toISOString(),
    });

    clock.advance(60_000);
    await server.inject({
      method: "PUT",
      url: "/api/me/watchlist",
      headers: await bearer("alice"),
      payload: { symbols: ["MSFT", "NVDA"] },
    });
    const alice = await server.inject({
      method: "GET",
      url: "/api/me/watchlist",
      headers: await bearer("alice"),
    });
    assert.deepEqual(alice.json(), {
      symbols: ["MSFT", "NVDA"],
      updatedAt: new Date(T0 + 60_000).toISOString(),
    });
    const bob = await server.inject({
      method: "GET",
      url: "/api/me/watchlist",
      headers: await bearer("bob"),
    });
    assert.deepEqual(bob.json(), { symbols: null, updatedAt: null }, "bob does not see alice's list");
  });

  test("an empty list is a list (the user removed everything), not 'never saved'", async () => {
    const server = app();
    const headers = await bearer("carol");
    await server.inject({ method: "PUT", url: "/api/me/watchlist", headers, payload: { symbols: [] } });
    const read = await server.inject({ method: "GET", url: "/api/me/watchlist", headers });
    assert.deepEqual(read.json().symbols, []);
  });

  test("no token, a forged token or an ops token: 401, nothing read or written", async () => {
    const server = app();
    const none = await server.inject({ method: "GET", url: "/api/me/watchlist" });
    assert.equal(none.statusCode, 401);
    assert.equal(none.headers["www-authenticate"], 'Bearer realm="torghut-hub"');
    const forged = await signToken({ secret: "another-secret", sub: "alice" });
    const put = await server.inject({
      method: "PUT",
      url: "/api/me/watchlist",
      headers: { authorization: `Bearer ${forged}` },
      payload: { symbols: ["TSLA"] },
    });
    assert.equal(put.statusCode, 401);
    const ops = await server.inject({
      method: "GET",
      url: "/api/me/watchlist",
      headers: await bearer("alice", OPS_AUDIENCE),
    });
    assert.equal(ops.statusCode, 401, "an ops token is for ops calls only");
    const alice = await server.inject({
      method: "GET",
      url: "/api/me/watchlist",
      headers: await bearer("alice"),
    });
    assert.deepEqual(alice.json().symbols, ["MSFT", "NVDA"], "the forged save changed nothing");
  });

  test("bad input: a clear 400 naming the problem, the saved list kept, and counted", async () => {
    const server = app();
    const headers = await bearer("alice");
    const before = await refused("bad_request");
    const cases: [unknown, RegExp][] = [
      [{ symbols: ["AAPL", "not a symbol"] }, /symbols\.1: symbol must be/],
      [{ symbols: ["AAPL", "AAPL"] }, /appears twice/],
      [{ symbols: Array.from({ length: 501 }, (_, i) => `S${i}`) }, /at most 500/],
      [{ list: ["AAPL"] }, /symbols/],
    ];
    for (const [payload, message] of cases) {
      const res = await server.inject({
        method: "PUT",
        url: "/api/me/watchlist",
        headers,
        payload: payload as object,
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 60));
      assert.equal(res.json().error, "bad_request");
      assert.match(res.json().message, message);
    }
    assert.equal((await refused("bad_request")) - before, cases.length);
    const kept = await server.inject({ method: "GET", url: "/api/me/watchlist", headers });
    assert.deepEqual(kept.json().symbols, ["MSFT", "NVDA"]);
  });
});
