import { barColumnsResponseSchema } from "@torghut/contracts";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { ApiError, getJson } from "../lib/api";
import { loadInitialBars } from "./initial-bars";
import { API_UNREACHABLE_MESSAGE } from "./upstream-proxy";

/** A real API stand-in on a loopback port: each test sets what it answers. */
let answer: (url: string) => { status: number; body: string } = () => ({ status: 200, body: "{}" });
let server: Server;
let origin: string;
/** A loopback address nothing listens on: a server's port, closed again. */
let deadOrigin: string;

async function listen(): Promise<Server> {
  const s = createServer((req, res) => {
    const { status, body } = answer(req.url ?? "");
    res.writeHead(status, { "content-type": "application/json" }).end(body);
  });
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return s;
}

const originOf = (s: Server): string => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

/** The message the page would show must not carry the API's scheme, host or port. */
function assertNoAddress(message: string, apiOrigin: string): void {
  const { host, port } = new URL(apiOrigin);
  assert.ok(!message.includes(host), `"${message}" names the host`);
  assert.ok(!message.includes("127.0.0.1"), `"${message}" names the address`);
  assert.ok(!message.includes(port), `"${message}" names the port`);
  assert.ok(!message.includes("http:"), `"${message}" names the scheme`);
}

async function withApiUrl<T>(apiUrl: string, run: () => Promise<T>): Promise<T> {
  const saved = process.env.TORGHUT_API_URL;
  process.env.TORGHUT_API_URL = apiUrl;
  try {
    return await run();
  } finally {
    if (saved === undefined) delete process.env.TORGHUT_API_URL;
    else process.env.TORGHUT_API_URL = saved;
  }
}

before(async () => {
  server = await listen();
  origin = originOf(server);
  const dead = await listen();
  deadOrigin = originOf(dead);
  await new Promise<void>((resolve, reject) => dead.close((e) => (e ? reject(e) : resolve())));
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("loadInitialBars", () => {
  test("an unreachable API: the proxy's words, no address", async () => {
    const bars = await withApiUrl(deadOrigin, () => loadInitialBars("AAPL", "1m"));
    assert.deepEqual(bars, { status: "error", message: API_UNREACHABLE_MESSAGE });
    assertNoAddress(API_UNREACHABLE_MESSAGE, deadOrigin);
  });

  test("an API answering a bad body: the message names the path only", async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ nope: true }) });
    const bars = await withApiUrl(origin, () => loadInitialBars("AAPL", "1m", 1_700_000_000_000));
    assert.equal(bars.status, "error");
    assert.ok(bars.status === "error");
    assert.equal(bars.message, "Unexpected answer from /api/torghut/ta/bars");
    assertNoAddress(bars.message, origin);
  });

  test("an API answering a non-JSON error: the status, no address", async () => {
    answer = () => ({ status: 500, body: "<html>boom</html>" });
    const bars = await withApiUrl(origin, () => loadInitialBars("AAPL", "1m"));
    assert.deepEqual(bars, { status: "error", message: "HTTP 500" });
  });

  test("a good columns answer: the chart's columns with volume (the volume pane) and provenance (tinted bars)", async () => {
    let asked = "";
    answer = (url) => {
      asked = url;
      return {
        status: 200,
        body: JSON.stringify({
          symbol: "AAPL",
          interval: "1m",
          format: "columns",
          time: [60, 120],
          open: [1, 2],
          high: [3, 4],
          low: [0.5, 1.5],
          close: [2, 3],
          volume: [10, 20],
          provenance: [{ start: 0, source: "alpaca", delayed: false }],
        }),
      };
    };
    const bars = await withApiUrl(origin, () => loadInitialBars("AAPL", "1m", 1_700_000_000_000));
    assert.equal(asked, "/api/torghut/ta/bars?symbol=AAPL&interval=1m&from=1700000000000&format=columns");
    assert.deepEqual(bars, {
      status: "ok",
      columns: {
        time: [60, 120],
        open: [1, 2],
        high: [3, 4],
        low: [0.5, 1.5],
        close: [2, 3],
        volume: [10, 20],
        provenance: [{ start: 0, source: "alpaca", delayed: false }],
      },
    });
  });

  test("columns of different lengths are a bad answer", async () => {
    answer = () => ({
      status: 200,
      body: JSON.stringify({
        symbol: "AAPL",
        interval: "1m",
        format: "columns",
        time: [60, 120],
        open: [1],
        high: [3, 4],
        low: [0.5, 1.5],
        close: [2, 3],
      }),
    });
    const bars = await withApiUrl(origin, () => loadInitialBars("AAPL", "1m"));
    assert.deepEqual(bars, { status: "error", message: "Unexpected answer from /api/torghut/ta/bars" });
  });
});

describe("getJson with an absolute URL", () => {
  test("a network error names the path only", async () => {
    const error = await getJson(
      `${deadOrigin}/api/torghut/ta/bars?symbol=AAPL`,
      barColumnsResponseSchema,
    ).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 0);
    assert.equal(error.message, "Network error calling /api/torghut/ta/bars");
    assertNoAddress(error.message, deadOrigin);
  });

  test("a bad body names the path only", async () => {
    answer = () => ({ status: 200, body: "[]" });
    const error = await getJson(`${origin}/api/torghut/ta/bars?symbol=AAPL`, barColumnsResponseSchema).then(
      () => assert.fail("resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, "bad_response");
    assert.equal(error.message, "Unexpected answer from /api/torghut/ta/bars");
    assertNoAddress(error.message, origin);
  });
});
