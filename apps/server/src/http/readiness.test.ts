import assert from "node:assert/strict";
import { test } from "node:test";
import type { DatabaseView } from "../health/database-probe";
import type { TickWriterStats } from "../store/tick-writer";
import { readiness } from "./readiness";
import type { OpsViews, ReplicaView } from "./views";

const settings = {
  primaryMaxSilenceMs: 1000,
  fallbackMaxSilenceMs: 1000,
  writerMaxCommitAgeMs: 30_000,
  writerHoldGraceMs: 1000,
};
const down: DatabaseView = {
  driver: "postgres",
  reachable: false,
  lastOkAt: null,
  failingSince: "2026-01-05T15:00:00.000Z",
  lastError: "PostgreSQL did not answer within 3000 ms",
};

function views(
  role: ReplicaView["role"],
  database: DatabaseView,
  writer: TickWriterStats | null = null,
): OpsViews {
  return {
    router: () => null,
    alpaca: () => null,
    yahoo: () => null,
    ingest: () => null,
    validation: () => null,
    writer: () => writer,
    realtime: () => null,
    backfill: () => [],
    market: () => null,
    symbols: () => [],
    replica: () => ({ replicaId: "r1", role, isLeader: true, startedAt: "2026-01-05T15:00:00.000Z" }),
    database: () => database,
    simulatedMarket: false,
  };
}

test("an unreachable database makes an ingesting replica not ready, naming the database alone", () => {
  const result = readiness(views("all", down), Date.now(), settings);
  assert.equal(result.ready, false);
  assert.equal(result.dependencies.database.ready, false);
  assert.match(
    result.dependencies.database.reasons[0] ?? "",
    /^database unavailable, ticks cannot be committed/,
  );
  assert.equal(result.dependencies.source.ready, true);
  assert.equal(result.dependencies.bus.ready, true);
  assert.deepEqual(result.reasons, result.dependencies.database.reasons);
});

test("a realtime replica serves live prices from the bus whatever the database does", () => {
  const result = readiness(views("realtime", down), Date.now(), settings);
  assert.equal(result.ready, true);
  assert.deepEqual(result.reasons, []);
});

test("a reachable database adds no reasons", () => {
  const result = readiness(
    views("ingest", { ...down, reachable: true, failingSince: null }),
    Date.now(),
    settings,
  );
  assert.equal(result.dependencies.database.ready, true);
  assert.equal(result.ready, true);
});

const up: DatabaseView = { ...down, reachable: true, failingSince: null };
const at = Date.parse("2026-01-05T15:00:10.000Z");
function holding(sinceMs: number): TickWriterStats {
  return {
    queueDepth: 40,
    accepted: 100,
    committed: 60,
    dropped: 0,
    lastCommitAt: at - 500,
    commitLagMs: 20,
    consecutiveFailures: 3,
    lastError: "[42501] permission denied for table ticks",
    spooled: 0,
    replayed: 0,
    lost: 0,
    commit: { canCommit: false, since: sinceMs, reason: "[42501] permission denied for table ticks" },
  };
}

test("SELECT 1 answers but the writer cannot commit (a revoked grant): not ready, naming why", () => {
  const result = readiness(views("all", up, holding(at - 1500)), at, settings);
  assert.equal(result.ready, false);
  assert.deepEqual(result.dependencies.database.reasons, [
    "ticks cannot be committed: [42501] permission denied for table ticks",
  ]);
});

test("a hold shorter than the grace (one retried batch) keeps the replica ready", () => {
  const result = readiness(views("all", up, holding(at - 200)), at, settings);
  assert.equal(result.ready, true);
  const committing = { ...holding(at), commit: { canCommit: true, since: at, reason: null } };
  assert.equal(readiness(views("all", up, committing), at, settings).ready, true);
});
