import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { eventually, EventuallyTimeoutError } from "./eventually";

describe("eventually", () => {
  test("resolves to the first truthy value of a sync check", async () => {
    let calls = 0;
    const value = await eventually(() => (++calls >= 3 ? { calls } : undefined), "three calls");
    assert.deepEqual(value, { calls: 3 });
  });

  test("awaits async checks and retries a check that throws", async () => {
    let calls = 0;
    const value = await eventually(async () => {
      calls++;
      if (calls < 3) throw new Error("not listening yet");
      return Promise.resolve("up");
    }, "an upstream");
    assert.equal(value, "up");
  });

  test("runs the pump before every check", async () => {
    let pumped = 0;
    await eventually(() => pumped >= 4, "four pumps", { pump: () => pumped++ });
    assert.equal(pumped, 4);
  });

  test("names what it waited for and the last value at the deadline", async () => {
    await assert.rejects(
      eventually(() => 0, "a count", 20),
      (error: unknown) =>
        error instanceof EventuallyTimeoutError &&
        /timed out after 20 ms waiting for a count \(last value: 0\)/.test(error.message),
    );
  });

  test("names the last error at the deadline and keeps it as the cause", async () => {
    const refused = new Error("ECONNREFUSED");
    await assert.rejects(
      eventually(
        () => {
          throw refused;
        },
        "the server",
        { timeoutMs: 20 },
      ),
      (error: unknown) =>
        error instanceof EventuallyTimeoutError &&
        /waiting for the server \(last error: ECONNREFUSED\)/.test(error.message) &&
        error.cause === refused,
    );
  });
});
