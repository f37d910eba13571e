// The HTTP API's bad inputs, one table per kind: each row is sent to a live server on the simulator
// and must be refused with its status, counted in its metric, and change nothing else (router state,
// audit rows beyond the bound). Client addresses are TEST-NET names in X-Forwarded-For (the server
// trusts loopback as its proxy), so each row has its own rate-limit bucket.
import assert from "node:assert/strict";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { eventually } from "@torghut/testing";
import { OPS_AUDIENCE, signToken } from "../../src/realtime/auth";
import { listSourceEvents } from "../../src/store/repositories";
import { badTokens, metric } from "../support/bad-tokens";
import { getJson, startLiveServer, TEST_SECRET, type LiveServer } from "../support/live-server";

describe("security: HTTP API", () => {
  let live: LiveServer;
  let client = 0;
  /** A fresh client address for each call site (198.51.100.0/24, documentation only). */
  const nextClient = () => `198.51.100.${++client}`;
  const state = async () => (await getJson(`${live.url}/api/health/datasource`)).body.connectionState;
  const auditRows = async () =>
    (await listSourceEvents(live.torghut.database, 5000)).filter((e) => e.reason.startsWith("ops "));

  before(async () => {
    live = await startLiveServer({ TRUSTED_PROXIES: "loopback" });
    await eventually(async () => (await state()) === "PRIMARY_ACTIVE", "PRIMARY_ACTIVE", 30_000);
  });
  after(async () => live.close());

  const post = (path: string, headers: Record<string, string>, body?: string) =>
    fetch(live.url + path, { method: "POST", headers, ...(body === undefined ? {} : { body }) });

  test("ops POSTs: every bad token is a 401, counted, audited with its address, and nothing moves", async () => {
    for (const bad of await badTokens(TEST_SECRET, OPS_AUDIENCE)) {
      const address = nextClient();
      const before = await metric(live.url, "ops_requests_total", {
        action: "failover",
        result: "unauthorized",
      });
      const res = await post("/api/health/failover", {
        ...(bad.token === "" ? {} : { authorization: `Bearer ${bad.token}` }),
        "x-forwarded-for": address,
      });
      assert.equal(res.status, 401, bad.name);
      assert.match(res.headers.get("www-authenticate") ?? "", /Bearer/, bad.name);
      assert.match(((await res.json()) as { message: string }).message, new RegExp(bad.code), bad.name);
      assert.equal(
        await metric(live.url, "ops_requests_total", { action: "failover", result: "unauthorized" }),
        before + 1,
        bad.name,
      );
      const rows = await eventually(async () => {
        const found = (await auditRows()).filter((e) => e.reason.endsWith(`from ${address}`));
        return found.length > 0 ? found : null;
      }, `audit row for ${bad.name}`);
      assert.deepEqual(
        rows.map((r) => [r.reason, r.actor]),
        [[`ops failover: refused (unauthorized) from ${address}`, "anonymous"]],
      );
    }
    assert.equal(await state(), "PRIMARY_ACTIVE");
  });

  test("a flood of refused ops calls from one address: 429 after the limit, and a bounded number of audit rows", async () => {
    const address = nextClient();
    const viewer = await signToken({
      secret: TEST_SECRET,
      sub: "viewer@desk",
      audience: OPS_AUDIENCE,
      ttl: "5m",
    });
    const rowsBefore = (await auditRows()).length;
    const limitedBefore = await metric(live.url, "ops_requests_total", {
      action: "failover",
      result: "rate_limited",
    });
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await post("/api/health/failover", {
        authorization: `Bearer ${viewer}`,
        "x-forwarded-for": address,
      });
      statuses.push(res.status);
    }
    assert.deepEqual(new Set(statuses.slice(0, 30)), new Set([403]));
    assert.deepEqual(new Set(statuses.slice(30)), new Set([429]));
    assert.equal(
      await metric(live.url, "ops_requests_total", { action: "failover", result: "rate_limited" }),
      limitedBefore + 170,
    );
    // 30 refusals (403) and the first 429 are written; the other 169 are only counted. Before the fix,
    // every one of the 200 wrote a row, and the rate limit came after the audit.
    await eventually(async () => (await auditRows()).length - rowsBefore === 31, "31 audit rows");
    const fromFlood = (await auditRows()).filter((e) => e.reason.endsWith(`from ${address}`));
    assert.equal(fromFlood.filter((e) => e.reason.includes("(rate_limited)")).length, 1);
    assert.equal(await state(), "PRIMARY_ACTIVE");
  });

  test("X-Forwarded-For picks the bucket only from a trusted proxy: another client is not limited", async () => {
    const res = await post("/api/health/failover", { "x-forwarded-for": nextClient() });
    assert.equal(res.status, 401, "a fresh address behind the trusted proxy has its own budget");
  });

  test("an oversized ops body is a 413 before anything else", async () => {
    const res = await post(
      "/api/health/failover",
      { "content-type": "application/json", "x-forwarded-for": nextClient() },
      JSON.stringify({ pad: "x".repeat(200_000) }),
    );
    assert.equal(res.status, 413);
    assert.equal(await state(), "PRIMARY_ACTIVE");
  });

  test("TA parameters: out-of-range epochs and too costly indicators are 400s, counted; a signals flood is 429", async () => {
    const bad = [
      "/api/torghut/ta/bars?symbol=AAPL&from=9000000000000000",
      "/api/torghut/ta/bars?symbol=AAPL&from=1&to=99999999999999999999",
      `/api/torghut/ta/signals?symbol=AAPL&indicators=${Array.from({ length: 14 }, (_, i) => `bollinger:${1000 - i}`).join(",")}`,
      `/api/torghut/ta/signals?symbol=AAPL&indicators=${["ema:5", "ema:6", "ema:7", "ema:8", "ema:9", "ema:10", "ema:11", "ema:12", "ema:13"].join(",")}`,
      "/api/torghut/ta/signals?symbol=AAPL&indicators=bollinger:1000,bollinger:999,bollinger:998",
    ];
    for (const path of bad) {
      const before = await metric(live.url, "torghut_ta_refused_total", { reason: "bad_query" });
      const res = await getJson(live.url + path);
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(res.body)}`);
      assert.equal(res.body.error, "bad_request");
      assert.ok((await metric(live.url, "torghut_ta_refused_total", { reason: "bad_query" })) > before, path);
    }
    const ok = await getJson(`${live.url}/api/torghut/ta/signals?symbol=AAPL&indicators=bollinger:1000,ema`);
    assert.equal(ok.status, 200, "within the budget is served");

    const address = nextClient();
    const statuses: number[] = [];
    for (let i = 0; i < 125; i++) {
      const res = await fetch(`${live.url}/api/torghut/ta/signals?symbol=AAPL&indicators=ema`, {
        headers: { "x-forwarded-for": address },
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    assert.equal(statuses.filter((s) => s === 200).length, 120);
    assert.deepEqual(new Set(statuses.slice(120)), new Set([429]));
    assert.ok((await metric(live.url, "torghut_ta_refused_total", { reason: "rate_limited" })) >= 5);
  });

  test("security headers on every answer; no CORS for an unconfigured origin", async () => {
    for (const path of ["/api/health/stocks", "/healthz", "/api/nope", "/metrics"]) {
      const res = await fetch(live.url + path, { headers: { origin: "https://evil.example" } });
      await res.arrayBuffer();
      assert.equal(
        res.headers.get("content-security-policy"),
        "default-src 'none';frame-ancestors 'none'",
        path,
      );
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
      assert.match(res.headers.get("strict-transport-security") ?? "", /max-age=31536000/, path);
      assert.equal(res.headers.get("access-control-allow-origin"), null, path);
    }
    const preflight = await fetch(`${live.url}/api/health/failover`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
    const negotiate = await fetch(`${live.url}/hubs/market-data/negotiate?negotiateVersion=1`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    assert.equal(negotiate.status, 403, "WS_ALLOWED_ORIGINS unset: no origin is reflected");
    assert.equal(negotiate.headers.get("access-control-allow-origin"), null);
  });

  test("path tricks reach no other route", async () => {
    for (const path of [
      "/api/health/..%2f..%2fmetrics",
      "/api/health/%2e%2e/%2e%2e/metrics",
      "/api/symbols/../metrics",
    ]) {
      // node:http sends the path as written; fetch would resolve the dots before sending.
      const { status, text } = await rawGet(live.url, path);
      assert.ok(!text.includes("# TYPE"), `${path} served metrics (${status})`);
    }
  });
});

describe("security: health bodies", () => {
  let live: LiveServer;
  let deadAddress: string;
  before(async () => {
    // Alpaca's stream URL points at a port nothing listens on: the error names that address.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    deadAddress = `127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    live = await startLiveServer({ ALPACA_STREAM_URL: `ws://${deadAddress}` });
  });
  after(async () => live.close());

  test("public health bodies carry reasons without addresses; an operator's ops token sees the detail", async () => {
    {
      const operator = await live.token("oncall@desk", { admin: true });
      const simAddress = deadAddress;
      const detailed = await eventually(
        async () => {
          const body = (
            await getJson(`${live.url}/api/health/alpaca`, {
              headers: { authorization: `Bearer ${operator}` },
            })
          ).body;
          return typeof body.alpacaStatus.lastError === "string" &&
            body.alpacaStatus.lastError.includes(simAddress)
            ? body
            : null;
        },
        "an Alpaca error naming the address",
        20_000,
      );
      assert.ok(detailed.alpacaStatus.lastError.includes(simAddress));
      for (const path of [
        "/api/health/alpaca",
        "/api/health/stocks",
        "/api/health/datasource",
        "/health",
        "/readyz",
      ]) {
        const text = await (await fetch(live.url + path)).text();
        assert.ok(!text.includes(simAddress), `${path} names ${simAddress}: ${text.slice(0, 300)}`);
        assert.ok(!/127\.0\.0\.1/.test(text), `${path} names an address`);
      }
      const publicAlpaca = (await getJson(`${live.url}/api/health/alpaca`)).body;
      assert.match(publicAlpaca.alpacaStatus.lastError, /\[address\]/, "the reason stays, the address goes");
      // A hub token is no operator: still redacted.
      const hub = (
        await getJson(`${live.url}/api/health/alpaca`, {
          headers: { authorization: `Bearer ${await live.token("viewer")}` },
        })
      ).body;
      assert.ok(!JSON.stringify(hub).includes(simAddress));
    }
  });
});

/** A GET with the path exactly as given (no client-side normalisation). */
function rawGet(base: string, path: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}
