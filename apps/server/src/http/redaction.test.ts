import assert from "node:assert/strict";
import { test } from "node:test";
import { redactAddresses, redactBody } from "./redaction";

test("addresses in error text are replaced, the reason stays", () => {
  const cases: [string, string][] = [
    ["connect ECONNREFUSED 10.0.3.7:5432", "connect ECONNREFUSED [address]"],
    ["connect ECONNREFUSED ::1:5432", "connect ECONNREFUSED [address]"],
    ["connect ECONNREFUSED [fd00::7]:5432", "connect ECONNREFUSED [address]"],
    ["getaddrinfo ENOTFOUND db.internal", "getaddrinfo ENOTFOUND [address]"],
    ["getaddrinfo EAI_AGAIN postgres:5432", "getaddrinfo EAI_AGAIN [address]"],
    [
      "request to https://query1.finance.yahoo.com/v8/finance/chart/AAPL failed",
      "request to [address] failed",
    ],
    [
      "password authentication failed for postgres://torghut:pw@10.0.3.7/db",
      "password authentication failed for [address]",
    ],
    [
      "tick writer is not committing (12 queued): timeout",
      "tick writer is not committing (12 queued): timeout",
    ],
    ["active source alpaca made no progress for 31s", "active source alpaca made no progress for 31s"],
    ["at 2026-01-05T15:00:00.000Z", "at 2026-01-05T15:00:00.000Z"],
  ];
  for (const [input, output] of cases) assert.equal(redactAddresses(input), output, input);
});

test("only free-text fields are redacted, at any depth; data fields are untouched", () => {
  const body = {
    status: "Unhealthy",
    reasons: ["tick writer is not committing (3 queued): connect ECONNREFUSED 10.0.3.7:5432"],
    alpaca: { lastError: "getaddrinfo ENOTFOUND stream.internal", subscribedSymbols: ["BRK.B", "AAPL"] },
    recentTransitions: [{ reason: "primary failed: 10.1.1.1:443 reset", since: "2026-01-05T15:00:00Z" }],
    replica: { replicaId: "r-1" },
  };
  assert.deepEqual(redactBody(body), {
    status: "Unhealthy",
    reasons: ["tick writer is not committing (3 queued): connect ECONNREFUSED [address]"],
    alpaca: { lastError: "getaddrinfo ENOTFOUND [address]", subscribedSymbols: ["BRK.B", "AAPL"] },
    recentTransitions: [{ reason: "primary failed: [address] reset", since: "2026-01-05T15:00:00Z" }],
    replica: { replicaId: "r-1" },
  });
  assert.equal(body.alpaca.lastError, "getaddrinfo ENOTFOUND stream.internal", "the original is not changed");
});
