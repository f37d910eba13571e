import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AlpacaConfigurationError,
  AlpacaConnectionLimitError,
  AlpacaRestError,
  AlpacaSymbolLimitError,
  reactionToCode,
} from "./errors";

test("every documented stream error code maps to the reaction the reference calls for", () => {
  const expected: Record<number, string> = {
    400: "our-bug",
    401: "our-bug",
    402: "configuration",
    403: "ignore",
    404: "log",
    405: "symbol-limit",
    406: "connection-limit",
    407: "slow-client",
    408: "configuration",
    409: "configuration",
    410: "configuration",
    411: "configuration",
    500: "log",
    999: "log",
  };
  for (const [code, reaction] of Object.entries(expected))
    assert.equal(reactionToCode(Number(code)), reaction, `code ${code}`);
});

test("error classes carry retryable and cause", () => {
  const cause = new Error("socket hang up");
  const config = new AlpacaConfigurationError("auth failed", 402, { cause });
  assert.equal(config.retryable, false);
  assert.equal(config.cause, cause);
  assert.equal(config.name, "AlpacaConfigurationError");
  assert.equal(new AlpacaConnectionLimitError("406", 406).retryable, true);
  assert.equal(new AlpacaRestError("429", 429).retryable, true);
  assert.equal(new AlpacaRestError("403", 403).retryable, false);
  assert.equal(new AlpacaRestError("no answer", 0).retryable, true);
  // Named after their class by SourceError, the venue's number and details kept.
  const limit = new AlpacaSymbolLimitError("symbol limit", ["TSLA"]);
  assert.deepEqual([limit.name, limit.code, limit.refusedSymbols], ["AlpacaSymbolLimitError", 405, ["TSLA"]]);
  assert.equal(new AlpacaRestError("403", 403).name, "AlpacaRestError");
});
