import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import YahooFinance from "yahoo-finance2";
import { ExtendedCookieJar } from "yahoo-finance2/lib/cookieJar";
import type { RunningSimulator } from "../src/index";
import { startManual } from "./helpers";

function yahooAgainst(sim: RunningSimulator): InstanceType<typeof YahooFinance> {
  const rewritingFetch: typeof fetch = (input, init) => {
    const u = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    return fetch(`${sim.yahooBaseUrl}${u.pathname}${u.search}`, init);
  };
  return new YahooFinance({
    fetch: rewritingFetch,
    cookieJar: new ExtendedCookieJar(),
    versionCheck: false,
    suppressNotices: ["yahooSurvey"],
    validation: { logErrors: false },
  });
}

describe("Yahoo endpoints", () => {
  let sim: RunningSimulator;
  before(async () => {
    sim = await startManual({ historyMinutes: 3 * 1440 });
    sim.control.advance(90_000);
  });
  after(() => sim.close());

  test("yahoo-finance2 chart() validates a 1m chart with the live price in meta", async () => {
    const yf = yahooAgainst(sim);
    const now = sim.control.now();
    const result = await yf.chart("AAPL", {
      period1: new Date(now - 2 * 3_600_000),
      period2: new Date(now),
      interval: "1m",
    });
    assert.equal(result.meta.symbol, "AAPL");
    assert.equal(result.meta.dataGranularity, "1m");
    assert.ok(result.meta.regularMarketPrice > 0);
    assert.ok(Math.abs(result.meta.regularMarketTime.getTime() - now) < 60_000);
    assert.ok(result.quotes.length >= 119 && result.quotes.length <= 121);
    assert.ok(result.quotes.every((q) => q.date instanceof Date));
  });

  test("yahoo-finance2 chart() validates daily bars by range with adjclose", async () => {
    const yf = yahooAgainst(sim);
    const result = await yf.chart("MSFT", {
      period1: new Date(sim.control.now() - 20 * 86_400_000),
      interval: "1d",
    });
    assert.ok(result.quotes.length >= 19);
    assert.ok(result.quotes.every((q) => typeof q.close === "number" && q.adjclose === q.close));
  });

  test("intervals without trades are nulls and an empty range has no timestamps", async () => {
    const now = sim.control.now();
    const res = await fetch(
      `${sim.yahooBaseUrl}/v8/finance/chart/AAPL?interval=1m&period1=${Math.floor((now - 2 * 86_400_000) / 1000)}&period2=${Math.floor(now / 1000)}`,
    );
    const body = (await res.json()) as {
      chart: { result: { timestamp: number[]; indicators: { quote: { close: (number | null)[] }[] } }[] };
    };
    const closes = body.chart.result[0]!.indicators.quote[0]!.close;
    assert.equal(closes.length, body.chart.result[0]!.timestamp.length);
    assert.ok(closes.includes(null), "some minutes had no trades");
    const empty = await fetch(
      `${sim.yahooBaseUrl}/v8/finance/chart/AAPL?interval=1d&period1=1000000000&period2=1000600000`,
    );
    const emptyBody = (await empty.json()) as { chart: { result: Record<string, unknown>[] } };
    assert.equal(empty.status, 200);
    assert.equal("timestamp" in emptyBody.chart.result[0]!, false);
    assert.deepEqual(emptyBody.chart.result[0]!.indicators, { quote: [{}] });
  });

  test("unknown symbol: 404 body, and yahoo-finance2 throws 'No data found'", async () => {
    const res = await fetch(`${sim.yahooBaseUrl}/v8/finance/chart/NOPE?range=1d&interval=1m`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), {
      chart: {
        result: null,
        error: { code: "Not Found", description: "No data found, symbol may be delisted" },
      },
    });
    await assert.rejects(
      yahooAgainst(sim).chart("NOPE", { period1: new Date(sim.control.now() - 3_600_000), interval: "1m" }),
      /No data found/,
    );
  });

  test("1m requests over 8 days or older than 30 days get the look-back error", async () => {
    const now = Math.floor(sim.control.now() / 1000);
    const tooLong = await fetch(
      `${sim.yahooBaseUrl}/v8/finance/chart/AAPL?interval=1m&period1=${now - 9 * 86_400}&period2=${now}`,
    );
    assert.equal(tooLong.status, 422);
    const body = (await tooLong.json()) as { chart: { error: { code: string; description: string } } };
    assert.equal(body.chart.error.code, "Unprocessable Entity");
    assert.match(
      body.chart.error.description,
      /^1m data not available for startTime=\d+ and endTime=\d+\. Only 8 days worth of 1m granularity data/,
    );
    const tooOld = await fetch(
      `${sim.yahooBaseUrl}/v8/finance/chart/AAPL?interval=1m&period1=${now - 40 * 86_400}&period2=${now - 39 * 86_400}`,
    );
    assert.match(
      ((await tooOld.json()) as { chart: { error: { description: string } } }).chart.error.description,
      /within the last 30 days/,
    );
  });

  test("yahoo-finance2 quote() goes through cookie + crumb and validates", async () => {
    const yf = yahooAgainst(sim);
    const one = await yf.quote("AAPL");
    assert.equal(one.symbol, "AAPL");
    assert.equal(one.quoteType, "EQUITY");
    assert.ok((one.regularMarketPrice ?? 0) > 0);
    assert.ok(one.regularMarketTime instanceof Date);
    const many = await yf.quote(["MSFT", "NOPE", "KO"]);
    assert.deepEqual(
      many.map((q) => q.symbol),
      ["MSFT", "KO"],
      "unknown symbols are left out",
    );
  });

  test("v7 quote without a valid crumb is 401; getcrumb without the cookie is 401", async () => {
    const noCrumb = await fetch(`${sim.yahooBaseUrl}/v7/finance/quote?symbols=AAPL`);
    assert.equal(noCrumb.status, 401);
    assert.deepEqual(await noCrumb.json(), {
      finance: { result: null, error: { code: "Unauthorized", description: "Invalid Crumb" } },
    });
    assert.equal((await fetch(`${sim.yahooBaseUrl}/v1/test/getcrumb`)).status, 401);
    const page = await fetch(`${sim.yahooBaseUrl}/quote/AAPL`);
    const a1 = page.headers
      .getSetCookie()
      .find((c) => c.startsWith("A1="))!
      .split(";")[0]!;
    const crumb = await (
      await fetch(`${sim.yahooBaseUrl}/v1/test/getcrumb`, { headers: { cookie: a1 } })
    ).text();
    assert.match(crumb, /^[A-Za-z0-9./]{11}$/);
    const ok = await fetch(
      `${sim.yahooBaseUrl}/v7/finance/quote?symbols=AAPL&crumb=${encodeURIComponent(crumb)}`,
      { headers: { cookie: a1 } },
    );
    assert.equal(ok.status, 200);
    const wrong = await fetch(`${sim.yahooBaseUrl}/v7/finance/quote?symbols=AAPL&crumb=nottherightone`, {
      headers: { cookie: a1 },
    });
    assert.equal(wrong.status, 401);
  });
});
