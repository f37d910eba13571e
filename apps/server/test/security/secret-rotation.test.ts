// WS_AUTH_SECRET_FILE: a rotation is a rewrite of the file under a running server (what a Kubernetes
// Secret volume does) — tokens signed with the new secret are accepted, the old ones keep working
// while the file still lists the old secret, and a bad rewrite changes nothing. No restart anywhere.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import WebSocket from "ws";
import { eventually } from "@torghut/testing";
import { HUB_AUDIENCE, OPS_AUDIENCE, signToken } from "../../src/realtime/auth";
import { localMetric } from "../support/bad-tokens";
import { startLiveServer, type LiveServer } from "../support/live-server";

const OLD = "old-secret-0123456789abcdef0123456789abcdef";
const NEW = "new-secret-fedcba9876543210fedcba9876543210";

/** 101 (the socket opened) or the status the upgrade was refused with. */
function upgrade(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    ws.once("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.once("error", (error) => reject(error));
  });
}

describe("security: rotating WS_AUTH_SECRET_FILE without a restart", () => {
  let server: LiveServer;
  let dir: string;
  let file: string;
  let wsUrl: string;
  const hubToken = (secret: string) =>
    signToken({ secret, sub: "trader", audience: HUB_AUDIENCE, ttl: "10m" });
  const opsStatus = async (secret: string) => {
    const token = await signToken({ secret, sub: "oncall", admin: true, audience: OPS_AUDIENCE, ttl: "10m" });
    const res = await fetch(`${server.url}/api/health/alpaca/reconnect`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}` },
    });
    await res.arrayBuffer();
    return res.status;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "torghut-secrets-"));
    file = join(dir, "ws-auth-secrets");
    writeFileSync(file, `# current first\n${OLD}\n`);
    // Startup awaits work that holds no handle of its own (seen as an empty event loop ending the
    // file before the server listens); a timer keeps the process alive until it does.
    const keepAlive = setInterval(() => undefined, 1_000);
    server = await startLiveServer({
      WS_AUTH_SECRET: "",
      WS_AUTH_SECRET_FILE: file,
      // Every check below is a new connection from 127.0.0.1: no connect-rate limit in the way.
      WS_CONNECT_RATE_PER_IP: "0",
    }).finally(() => clearInterval(keepAlive));
    wsUrl = `${server.url.replace(/^http/, "ws")}/ws`;
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the new secret is accepted once the file lists it, the old one until the file drops it", async () => {
    assert.equal(await upgrade(wsUrl, await hubToken(OLD)), 101);
    assert.equal(await upgrade(wsUrl, await hubToken(NEW)), 401);

    writeFileSync(file, `${NEW}\n${OLD}\n`);
    await eventually(async () => (await upgrade(wsUrl, await hubToken(NEW))) === 101, "new secret accepted");
    assert.equal(await upgrade(wsUrl, await hubToken(OLD)), 101, "old tokens still verify");
    assert.notEqual(await opsStatus(NEW), 401, "ops tokens follow the same file");

    writeFileSync(file, `${NEW}\n`);
    await eventually(async () => (await upgrade(wsUrl, await hubToken(OLD))) === 401, "old secret refused");
    assert.equal(await upgrade(wsUrl, await hubToken(NEW)), 101);
    assert.equal(await opsStatus(OLD), 401);
  });

  test("a bad rewrite keeps the secrets in force, counted, until the file is fixed", async () => {
    const failures = await localMetric("torghut_auth_secrets_reload_failures_total");
    writeFileSync(file, "short\n");
    await eventually(
      async () =>
        (await localMetric("torghut_auth_secrets_reload_failures_total")) > failures &&
        // Keep asking: each verification re-checks the file at most once a second.
        (await upgrade(wsUrl, await hubToken(NEW))) === 101,
      "the failed reload counted",
      { timeoutMs: 5_000, pump: () => void upgrade(wsUrl, "x").catch(() => undefined) },
    );
    assert.equal(await upgrade(wsUrl, await hubToken(NEW)), 101, "the last good secret still verifies");
    writeFileSync(file, "change-me-0123456789abcdef0123456789abcdef\n");
    assert.equal(await upgrade(wsUrl, await hubToken(NEW)), 101, "a placeholder is never taken");
    writeFileSync(file, `${OLD}\n`);
    await eventually(async () => (await upgrade(wsUrl, await hubToken(OLD))) === 101, "fixed file in force");
    assert.equal(await upgrade(wsUrl, await hubToken(NEW)), 401);
  });
});
