import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { HUB_AUDIENCE, OPS_AUDIENCE, verifyToken } from "../realtime/auth";

const script = fileURLToPath(new URL("./token.ts", import.meta.url));
const secret = "cli-test-secret-0123456789abcdef-0123";

function mint(args: string[], env: Record<string, string> = { WS_AUTH_SECRET: secret }) {
  return spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });
}

test("npm run token prints a verifiable ops token on its last line", async () => {
  const run = mint(["alice", "--admin", "--ttl", "2h"]);
  assert.equal(run.status, 0, run.stderr);
  const token = run.stdout.trim().split("\n").at(-1)!;
  const principal = await verifyToken(token, { secrets: [secret], audience: OPS_AUDIENCE });
  assert.equal(principal.sub, "alice");
  assert.deepEqual(principal.roles, ["admin"]);
  assert.ok(principal.exp! - Date.now() / 1000 > 7000);
  // An ops token opens no hub connection.
  await assert.rejects(verifyToken(token, { secrets: [secret], audience: HUB_AUDIENCE }));
});

test("without --admin it is a hub token; --aud picks both", async () => {
  const hub = mint(["viewer"]).stdout.trim().split("\n").at(-1)!;
  assert.equal((await verifyToken(hub, { secrets: [secret], audience: HUB_AUDIENCE })).sub, "viewer");
  await assert.rejects(verifyToken(hub, { secrets: [secret], audience: OPS_AUDIENCE }));
  const both = mint(["oncall", "--admin", "--aud", "hub,ops"]).stdout.trim().split("\n").at(-1)!;
  for (const audience of [HUB_AUDIENCE, OPS_AUDIENCE] as const)
    assert.equal((await verifyToken(both, { secrets: [secret], audience })).sub, "oncall");
});

test("refuses what the server would refuse: no secret, a short secret, a placeholder, a ttl over the cap", () => {
  const missing = mint(["bob"], {});
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /WS_AUTH_SECRET is not set/);
  const short = mint(["bob"], { WS_AUTH_SECRET: "a" });
  assert.equal(short.status, 2);
  assert.match(short.stderr, /WS_AUTH_SECRET: must be at least 32 bytes/);
  const placeholder = mint(["bob"], { WS_AUTH_SECRET: "change-me-in-production-please-32b" });
  assert.equal(placeholder.status, 2);
  assert.match(placeholder.stderr, /placeholder/);
  assert.doesNotMatch(placeholder.stderr, /change-me-in-production/, "the message never quotes the secret");
  const tooLong = mint(["bob", "--ttl", "36500d"]);
  assert.equal(tooLong.status, 2);
  assert.match(tooLong.stderr, /MAX_TOKEN_TTL_SECONDS/);
});
