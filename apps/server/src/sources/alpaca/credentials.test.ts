import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { credentialsFromConfig, fileCredentials, parseCredentialsText } from "./credentials";
import { AlpacaConfigurationError } from "./errors";

describe("credentials", () => {
  const dirPromise = mkdtemp(join(tmpdir(), "torghut-creds-"));
  after(async () => rm(await dirPromise, { recursive: true, force: true }));

  test("parses the JSON form", () => {
    assert.deepEqual(parseCredentialsText('{"keyId":"PK1","secretKey":"s3cr3t","note":"extra ok"}'), {
      keyId: "PK1",
      secretKey: "s3cr3t",
    });
  });

  test("parses key=value lines with comments, export and quotes", () => {
    const text = "# rotated 2026-01-05\nexport ALPACA_KEY_ID=PK2\nALPACA_SECRET_KEY='abc=def'\n\n";
    assert.deepEqual(parseCredentialsText(text), { keyId: "PK2", secretKey: "abc=def" });
  });

  test("errors never contain the secret", () => {
    for (const text of [
      '{"keyId":"PK","secretKey":"TOPSECRET"',
      '{"keyId":"","secretKey":"TOPSECRET"}',
      "ALPACA_SECRET_KEY=TOPSECRET",
    ]) {
      assert.throws(
        () => parseCredentialsText(text, "/run/secret"),
        (error: unknown) =>
          error instanceof AlpacaConfigurationError &&
          !error.message.includes("TOPSECRET") &&
          error.retryable === false,
      );
    }
  });

  test("the file is re-read on every load and its fingerprint follows the content", async () => {
    const path = join(await dirPromise, "alpaca.json");
    await writeFile(path, '{"keyId":"old","secretKey":"one"}');
    const provider = fileCredentials(path);
    assert.equal((await provider.load()).keyId, "old");
    const before = await provider.fingerprint();
    await writeFile(path, '{"keyId":"new","secretKey":"two"}');
    assert.equal((await provider.load()).keyId, "new");
    const afterChange = await provider.fingerprint();
    assert.notEqual(before, afterChange);
    assert.ok(afterChange !== null && !afterChange.includes("two"));
  });

  test("a missing file is a configuration error and has no fingerprint", async () => {
    const provider = fileCredentials(join(await dirPromise, "absent.json"));
    await assert.rejects(provider.load(), AlpacaConfigurationError);
    assert.equal(await provider.fingerprint(), null);
  });

  test("config: the file wins over env keys; nothing configured rejects", async () => {
    const path = join(await dirPromise, "wins.env");
    await writeFile(path, "ALPACA_KEY_ID=fromfile\nALPACA_SECRET_KEY=x");
    const fromFile = credentialsFromConfig({
      ALPACA_CREDENTIALS_FILE: path,
      ALPACA_KEY_ID: "env",
      ALPACA_SECRET_KEY: "y",
    });
    assert.equal((await fromFile.load()).keyId, "fromfile");
    assert.equal(
      (await credentialsFromConfig({ ALPACA_KEY_ID: "env", ALPACA_SECRET_KEY: "y" }).load()).keyId,
      "env",
    );
    await assert.rejects(credentialsFromConfig({}).load(), AlpacaConfigurationError);
  });
});
