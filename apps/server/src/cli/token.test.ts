import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import { verifyToken } from "../realtime/auth";

const script = fileURLToPath(new URL("./token.ts", import.meta.url));

test("npm run token prints a verifiable token on its last line", async () => {
  const secret = "cli-test-secret-0123456789abcdef";
  const run = spawnSync(process.execPath, ["--import", "tsx", script, "alice", "--admin", "--ttl", "2h"], {
    env: { PATH: process.env.PATH, WS_AUTH_SECRET: secret },
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  const token = run.stdout.trim().split("\n").at(-1)!;
  const principal = await verifyToken(token, { secret });
  assert.equal(principal.sub, "alice");
  assert.deepEqual(principal.roles, ["admin"]);
  assert.ok(principal.exp! - Date.now() / 1000 > 7000);

  const missing = spawnSync(process.execPath, ["--import", "tsx", script, "bob"], {
    env: { PATH: process.env.PATH },
    encoding: "utf8",
  });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /WS_AUTH_SECRET/);
});
