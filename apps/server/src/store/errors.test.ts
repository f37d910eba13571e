import assert from "node:assert/strict";
import { test } from "node:test";
import { createDb } from "@torghut/db";
import { sqlStateOf, StoreWriteError, toStoreWriteError } from "./errors";

test("a database's own error has a SQLSTATE; a socket errno that looks like one does not", async () => {
  const database = await createDb({ inMemory: true });
  try {
    const refused = await database.query("SELEC 1").catch((error: unknown) => error);
    assert.equal(sqlStateOf(refused), "42601");
    assert.equal(toStoreWriteError(refused, "insert").retryable, false, "bad SQL will not get better");
  } finally {
    await database.close();
  }
  const socket = Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32 });
  assert.equal(sqlStateOf(socket), null);
  assert.equal(toStoreWriteError(socket, "insert").retryable, true);
});

test("a StoreWriteError keeps its own verdict", () => {
  const refusal = new StoreWriteError("tick batch could not be encoded", false);
  assert.equal(toStoreWriteError(refusal, "insert"), refusal);
});
