import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { AlpacaRestClient } from "./rest-client";
import { staticCredentials } from "./credentials";
import { AlpacaRestError } from "./errors";

/** A stand-in REST host that sends headers and then `body` (or nothing, for ever). */
async function host(body: string | null) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    if (body === null) res.write("{");
    else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return { url, close };
}

const client = (dataUrl: string, extra = {}) =>
  new AlpacaRestClient({
    dataUrl,
    credentials: staticCredentials({ keyId: "k", secretKey: "s" }),
    maxRetries: 0,
    requestTimeoutMs: 300,
    ...extra,
  });

test("Alpaca REST: headers on time and a body that never ends still fails at the deadline", async () => {
  const stalled = await host(null);
  try {
    const started = Date.now();
    await assert.rejects(client(stalled.url).get("clock", "/v2/clock"), (error: unknown) => {
      assert.ok(error instanceof AlpacaRestError);
      assert.equal(error.retryable, true);
      return true;
    });
    assert.ok(Date.now() - started < 5_000, "ended by the 300 ms deadline, not by the socket");
  } finally {
    await stalled.close();
  }
});

test("Alpaca REST: a body over the limit is refused", async () => {
  const big = await host(`{"pad":"${"x".repeat(100_000)}"}`);
  try {
    await assert.rejects(
      client(big.url, { maxResponseBytes: 10_000 }).get("clock", "/v2/clock"),
      /over 10000 bytes/,
    );
  } finally {
    await big.close();
  }
});
