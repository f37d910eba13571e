import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createTestDatabase, type TestDatabase } from "@torghut/db";
import { eventually } from "@torghut/testing";
import { getJson, startLiveServer, type LiveServer } from "../support/live-server";

const FAST = {
  MESSAGE_TIMEOUT_SECONDS: "1",
  FALLBACK_ACTIVATION_DELAY_SECONDS: "0.5",
  PRIMARY_RECOVERY_GRACE_PERIOD_SECONDS: "0.5",
  SYMBOL_STALE_MIN_SECONDS: "1",
};

const stocks = async (live: LiveServer) => (await getJson(`${live.url}/api/health/stocks`)).body;
const row = (body: { symbols: { symbol: string }[] }, symbol: string) =>
  body.symbols.find((s) => s.symbol === symbol) as Record<string, unknown>;

/** Both placements: ingest on the HTTP event loop (PGlite) and on its own thread (PostgreSQL). */
const placements: {
  name: string;
  env: () => Promise<{ env: Record<string, string>; done: () => Promise<void> }>;
}[] = [{ name: "inline", env: () => Promise.resolve({ env: {}, done: () => Promise.resolve() }) }];
if (process.env.DATABASE_URL !== undefined) {
  const serverUrl = process.env.DATABASE_URL;
  placements.push({
    name: "ingest thread",
    env: async () => {
      const db: TestDatabase = await createTestDatabase(serverUrl);
      return { env: { DATABASE_URL: db.url, INGEST_THREAD: "worker" }, done: () => db.drop() };
    },
  });
}

for (const placement of placements) {
  describe(`market hours and per-symbol staleness (${placement.name})`, () => {
    test("market closed: no failover on silence, the API says market closed with the last price", async () => {
      const { env, done } = await placement.env();
      const live = await startLiveServer({ ...FAST, ...env });
      try {
        const before = await eventually(async () => {
          const body = await stocks(live);
          return body.presentation === "live" && body.lastPriceAt !== null ? body : null;
        }, "live prices");
        assert.equal(before.market.decidedBy, "trading-api-clock");
        live.sim.control.setMarketOpen(false);
        const closed = await eventually(
          async () => {
            const body = await stocks(live);
            return body.presentation === "market-closed" ? body : null;
            // The simulator announces the close 2 s ahead on its clock, as Alpaca names next_close.
          },
          "market closed presented",
          15_000,
        );
        assert.equal(closed.market.open, false);
        assert.ok(closed.market.nextOpen !== null && closed.market.lastClose !== null);
        // Far past MESSAGE_TIMEOUT_SECONDS + FALLBACK_ACTIVATION_DELAY_SECONDS of silence.
        const quietSince = Date.now();
        await eventually(() => Date.now() - quietSince > 4_000, "four quiet seconds", 10_000);
        const later = await stocks(live);
        assert.equal(later.connectionState, "PRIMARY_ACTIVE", "no failover on the night's silence");
        assert.equal(later.presentation, "market-closed");
        // Trades struck just before the close may land just after it (as prints before 16:00 do):
        // none is from after the moment the market was presented closed, and nothing moves since.
        assert.ok(Date.parse(later.lastPriceAt) <= quietSince, "the last price is the session's");
        const last = await stocks(live);
        assert.equal(last.lastPriceAt, later.lastPriceAt, "the last price stands, labelled as such");
        assert.ok(
          later.symbols.every((s: { stale: boolean }) => !s.stale),
          "no row is stale while closed",
        );
        assert.equal((await getJson(`${live.url}/readyz`)).status, 200, "quiet is not a lack of progress");
        const datasource = (await getJson(`${live.url}/api/health/datasource`)).body;
        assert.equal(datasource.fallbackCount, 0);
        assert.equal(datasource.market.open, false);
        live.sim.control.setMarketOpen(true);
        await eventually(async () => (await stocks(live)).presentation === "live", "live at the open");
      } finally {
        await live.close();
        await done();
      }
    });

    test("a halted symbol is marked stale on its own while the others trade; the feed stays primary", async () => {
      const { env, done } = await placement.env();
      const live = await startLiveServer({ ...FAST, ...env });
      try {
        await eventually(async () => {
          const body = await stocks(live);
          return (
            body.symbols.filter((s: { lastTradeAt: string | null }) => s.lastTradeAt !== null).length === 4
          );
        }, "every symbol traded");
        live.sim.control.setFault({ target: "alpaca", fault: "halt", symbol: "TSLA" });
        const halted = await eventually(async () => {
          const body = await stocks(live);
          return row(body, "TSLA").stale === true ? body : null;
        }, "TSLA stale");
        // We subscribe trades, quotes and bars only (no `statuses`): the halt shows as TSLA's own quiet.
        assert.equal(row(halted, "TSLA").staleReason, "quiet");
        assert.match(
          String(row(halted, "TSLA").staleDetail),
          /^no trade for [\d.]+ s .*while 3 other symbol\(s\) trade$/,
        );
        assert.equal(row(halted, "AAPL").stale, false);
        assert.equal(halted.connectionState, "PRIMARY_ACTIVE");
        assert.equal(halted.presentation, "live");
        live.sim.control.clearFaults("alpaca");
        await eventually(async () => row(await stocks(live), "TSLA").stale === false, "TSLA trades again");
      } finally {
        await live.close();
        await done();
      }
    });
  });
}
