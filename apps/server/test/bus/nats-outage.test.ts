import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { eventually } from "@torghut/testing";
import { BusCredentialsError, readBusCredentials } from "../../src/bus/credentials-file";
import { NatsBus } from "../../src/bus/nats-bus";
import { PrivateNats } from "../support/private-nats";

const dir = mkdtempSync(join(tmpdir(), "torghut-bus-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("BUS_CREDENTIALS_FILE: read as {user, password}; a bad file is a retryable error naming the file, not its content", () => {
  const file = join(dir, "ok.json");
  writeFileSync(file, JSON.stringify({ user: "torghut", password: "s3cret-value" }));
  assert.deepEqual(readBusCredentials(file), { user: "torghut", password: "s3cret-value" });
  writeFileSync(file, '{"user": "torghut", "password": "s3cret-value"');
  assert.throws(
    () => readBusCredentials(file),
    (error: unknown) =>
      error instanceof BusCredentialsError &&
      error.retryable &&
      error.message.includes(file) &&
      !error.message.includes("s3cret"),
  );
  assert.throws(() => readBusCredentials(join(dir, "missing.json")), BusCredentialsError);
});

test("close() returns while NATS is down (a replica stopped during an outage still stops)", async () => {
  const user = { user: "torghut", password: "pw-1" };
  const nats = await PrivateNats.start([user]);
  const credentialsFile = join(dir, "nats.json");
  writeFileSync(credentialsFile, JSON.stringify(user));
  const bus = new NatsBus({ url: nats.url, subjectPrefix: "outage", replicaId: "r1", credentialsFile });
  try {
    await bus.connect();
    assert.equal(bus.health().connected, true);
    await nats.kill();
    await eventually(() => !bus.health().connected, "the bus sees NATS gone", 15_000);
    bus.publish({ type: "leader", replicaId: "r1", since: 1, status: null });
    let closed = false;
    void bus.close().then(() => (closed = true));
    await eventually(() => closed, "close() returned", 10_000);
    assert.equal(bus.health().connected, false);
  } finally {
    await nats.close();
  }
});
