import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { loadWebConfig, signingSecret } from "./config";

describe("signingSecret: WS_AUTH_SECRET_FILE read at every signing", () => {
  const dir = mkdtempSync(join(tmpdir(), "torghut-web-secrets-"));
  const file = join(dir, "ws-auth-secrets");
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = () => loadWebConfig({ NODE_ENV: "test", WS_AUTH_SECRET_FILE: file });

  test("the first secret signs, and a rewrite of the file takes effect at the next call", () => {
    writeFileSync(
      file,
      "# rotation step 2\nnew-secret-fedcba9876543210fedcba9876543210\nold-secret-0123456789abcdef0123456789abcdef\n",
    );
    assert.equal(signingSecret(config()), "new-secret-fedcba9876543210fedcba9876543210");
    writeFileSync(file, "third-secret-00112233445566778899aabbccddeeff\n");
    assert.equal(signingSecret(config()), "third-secret-00112233445566778899aabbccddeeff");
  });

  test("a short secret or a missing file signs nothing, and the log names the file but not the secret", () => {
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => void logged.push(line);
    try {
      writeFileSync(file, "too-short\n");
      assert.equal(signingSecret(config()), undefined);
      rmSync(file);
      assert.equal(signingSecret(config()), undefined);
    } finally {
      console.error = original;
    }
    assert.equal(logged.length, 2);
    assert.ok(logged.every((line) => line.includes(file) && !line.includes("too-short")));
  });

  test("WS_AUTH_SECRET, when set, is the secret", () => {
    const secret = "env-secret-0123456789abcdef0123456789abcdef";
    assert.equal(signingSecret(loadWebConfig({ NODE_ENV: "test", WS_AUTH_SECRET: secret })), secret);
  });
});
