import assert from "node:assert/strict";
import { test } from "node:test";
import { createDb } from "@torghut/db";
import {
  DatabaseUnavailableError,
  RowsRefusedError,
  sqlStateOf,
  StoreWriteError,
  toStoreWriteError,
} from "./errors";

const serverError = (code: string) => Object.assign(new Error(`error ${code}`), { code, severity: "ERROR" });

test("a database's own error has a SQLSTATE; a socket errno that looks like one does not", async () => {
  const database = await createDb({ inMemory: true });
  try {
    const refused = await database.query("SELEC 1").catch((error: unknown) => error);
    assert.equal(sqlStateOf(refused), "42601");
    const failure = toStoreWriteError(refused, "insert");
    assert.ok(failure instanceof DatabaseUnavailableError, "class 42 is a statement problem, not bad rows");
    assert.equal(failure.retryable, true);
  } finally {
    await database.close();
  }
  const socket = Object.assign(new Error("write EPIPE"), { code: "EPIPE", errno: -32 });
  assert.equal(sqlStateOf(socket), null);
  assert.ok(toStoreWriteError(socket, "insert") instanceof DatabaseUnavailableError);
});

test("only data exceptions (22) and integrity errors (23) refuse rows; every other class holds the batch", () => {
  const verdicts = Object.fromEntries(
    [
      "22P02",
      "22003",
      "23502",
      "23514",
      "23505",
      "42501",
      "42P01",
      "08006",
      "53300",
      "57P01",
      "58030",
      "40001",
      "40P01",
      "XX000",
    ].map((code) => [code, toStoreWriteError(serverError(code), "insert").retryable ? "hold" : "refuse"]),
  );
  assert.deepEqual(verdicts, {
    "22P02": "refuse",
    "22003": "refuse",
    "23502": "refuse",
    "23514": "refuse",
    "23505": "refuse",
    "42501": "hold",
    "42P01": "hold",
    "08006": "hold",
    "53300": "hold",
    "57P01": "hold",
    "58030": "hold",
    "40001": "hold",
    "40P01": "hold",
    XX000: "hold",
  });
  const refusal = toStoreWriteError(serverError("23502"), "insert");
  assert.ok(refusal instanceof RowsRefusedError);
  assert.equal(refusal.sqlState, "23502");
  assert.match(refusal.message, /^insert: \[23502\] error 23502$/);
});

test("a StoreWriteError keeps its own verdict", () => {
  const refusal = new StoreWriteError("tick batch could not be encoded", false);
  assert.equal(toStoreWriteError(refusal, "insert"), refusal);
});
