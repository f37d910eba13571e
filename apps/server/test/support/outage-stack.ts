import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulator, type RunningSimulator } from "@torghut/market-sim";
import { eventually, startPgCluster, throughout, type PgCluster } from "@torghut/testing";
import { spawnReplica, type ReplicaProcess } from "../scale/replica-process";
import { getJson, simulatorEnv, TEST_SECRET, TEST_SYMBOLS } from "./live-server";

/**
 * Issue #15's outages, seconds each. The defaults are the issue's; CI may shorten them
 * (OUTAGE_FREEZE_SECONDS=8 …) — the assertions do not change with the length.
 */
export const OUTAGE_SECONDS = {
  freeze: Number(process.env.OUTAGE_FREEZE_SECONDS ?? 40),
  refuse: Number(process.env.OUTAGE_REFUSE_SECONDS ?? 30),
  revoke: Number(process.env.OUTAGE_REVOKE_SECONDS ?? 30),
};

/** Detection in seconds, as a deployment would tune it; the lease (60 s) rides out a 40 s freeze. */
const SERVER_ENV = {
  DATABASE_PROBE_INTERVAL_MS: "300",
  DATABASE_PROBE_TIMEOUT_MS: "1000",
  DATABASE_STATEMENT_TIMEOUT_MS: "1500",
  DATABASE_QUERY_TIMEOUT_MS: "2000",
  DATABASE_CONNECT_TIMEOUT_MS: "1000",
  SPOOL_AFTER_MS: "1000",
  SHUTDOWN_TIMEOUT_SECONDS: "6",
  WS_UPDATES_PER_SECOND: "0",
  // A loaded CI box can stall the ingest thread past simulatorEnv's 1 s: a reconnect it causes
  // drops frames the simulator already counted as delivered, which is not what these tests measure.
  MESSAGE_TIMEOUT_SECONDS: "15",
};

export interface Probe {
  at: number;
  ready: number;
  healthz: number;
  /** `/readyz` reasons for the database (empty when ready). */
  databaseReasons: string[];
}

/**
 * A private PostgreSQL cluster, the simulator keeping a ledger of every trade it delivered, and
 * Torghut as its own process (`main.ts`) connecting as a non-superuser `torghut` that owns its
 * database — so a grant can be revoked from it. The spool lives in one DATA_DIR across restarts.
 */
export class OutageStack {
  replica: ReplicaProcess | null = null;
  /** Every process started, for failure messages. */
  private readonly replicas: ReplicaProcess[] = [];
  private readonly dataDir = mkdtempSync(join(tmpdir(), "torghut-outage-"));

  private constructor(
    readonly cluster: PgCluster,
    readonly sim: RunningSimulator,
  ) {}

  static async start(seed: number): Promise<OutageStack> {
    const cluster = await startPgCluster();
    await cluster.psql("CREATE ROLE torghut LOGIN");
    await cluster.psql("CREATE DATABASE torghut OWNER torghut");
    const sim = await startSimulator({
      port: 0,
      seed,
      symbols: TEST_SYMBOLS,
      tradesPerSecond: 200,
      staleSessionMs: 300,
      recordTrades: true,
    });
    return new OutageStack(cluster, sim);
  }

  get url(): string {
    assert.ok(this.replica, "no replica running");
    return this.replica.url;
  }

  /** Starts (or restarts) Torghut; `env` overrides the scenario settings. */
  async startServer(env: Record<string, string> = {}): Promise<ReplicaProcess> {
    this.replica = await spawnReplica(
      {
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: this.cluster.url("torghut").replace("postgres@", "torghut@"),
        DATA_DIR: this.dataDir,
        SYMBOLS: TEST_SYMBOLS.join(","),
        ...simulatorEnv(this.sim),
        WS_AUTH_SECRET: TEST_SECRET,
        SIMULATED_MARKET: "true",
        ...SERVER_ENV,
        ...env,
      },
      120_000,
    );
    this.replicas.push(this.replica);
    return this.replica;
  }

  async probe(): Promise<Probe> {
    const [ready, healthz] = await Promise.all([
      getJson(`${this.url}/readyz`),
      getJson(`${this.url}/healthz`),
    ]);
    return {
      at: Date.now(),
      ready: ready.status,
      healthz: healthz.status,
      databaseReasons: ready.body?.dependencies?.database?.reasons ?? [],
    };
  }

  /** Probes every 250 ms for `seconds`: what /readyz and /healthz said through the whole outage. */
  watch(seconds: number): Promise<Probe[]> {
    return throughout(() => this.probe(), { forMs: seconds * 1000, intervalMs: 250 });
  }

  /** Ready and storing ticks (first start, or after a fault healed without a restart). */
  async ready(what: string): Promise<void> {
    await eventually(async () => (await this.probe()).ready === 200, what, 90_000);
    const before = await this.storedCount();
    await eventually(async () => (await this.storedCount()) > before, `${what}: ticks stored`, 60_000);
  }

  storedCount = async (): Promise<number> =>
    Number((await this.cluster.psql("SELECT count(*) FROM ticks WHERE source = 'alpaca'", "torghut")).trim());

  /**
   * Trades the simulator delivered (by `untilMs`) that are neither rows in `ticks` nor refused as
   * invalid (kept in `validation_rejections` with their reason: counted, not lost).
   */
  async missing(untilMs?: number, excluding: ReadonlySet<string> = new Set()): Promise<string[]> {
    const stored = new Set(
      (
        await this.cluster.psql(
          `SELECT symbol || ':' || trade_id FROM ticks WHERE source = 'alpaca'
           UNION ALL SELECT symbol || ':' || (payload->>'tradeId') FROM validation_rejections WHERE source = 'alpaca'`,
          "torghut",
        )
      )
        .split("\n")
        .filter((line) => line.length > 0),
    );
    return this.sim.control.deliveredTrades(untilMs).filter((key) => !stored.has(key) && !excluding.has(key));
  }

  /** Waits until every trade delivered by `untilMs` is stored; fails naming some that never were. */
  /** `excluding`: trades an earlier scenario already accounted for (e.g. its tail before a SIGTERM). */
  async nothingMissing(
    what: string,
    untilMs = Date.now(),
    excluding: ReadonlySet<string> = new Set(),
    timeoutMs = 90_000,
  ): Promise<number> {
    let last: string[] = [];
    try {
      await eventually(
        async () => {
          last = await this.missing(untilMs, excluding);
          return last.length === 0;
        },
        what,
        timeoutMs,
      );
    } catch {
      const ids = last.slice(0, 5).map((key) => key.split(":")[1]!);
      const warnings = this.replicas
        .flatMap((r, i) =>
          r
            .stdout()
            .split("\n")
            .map((l) => `#${i} ${l}`),
        )
        .filter((l) => /"level":[4-6]0/.test(l) || ids.some((id) => l.includes(`"${id}"`)))
        .slice(-25)
        .join("\n");
      assert.fail(
        `${what}: ${last.length} delivered trades missing from ticks, e.g. ${last.slice(0, 5).join(", ")}\n` +
          `the server's last warnings:\n${warnings}`,
      );
    }
    return this.sim.control.deliveredTrades(untilMs).length;
  }

  async close(): Promise<void> {
    await this.replica?.kill("SIGKILL").catch(() => undefined);
    await this.cluster.thaw().catch(() => undefined);
    await this.sim.close();
    await this.cluster.destroy();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** What every outage must look like from outside: /healthz 200 all along, /readyz 503 naming `reason`. */
export function assertOutageReported(probes: Probe[], reason: RegExp, what: string): void {
  assert.ok(
    probes.every((p) => p.healthz === 200),
    `${what}: /healthz was not 200 throughout`,
  );
  const notReady = probes.filter((p) => p.ready === 503);
  assert.ok(notReady.length > 0, `${what}: /readyz never said 503`);
  assert.ok(
    notReady.some((p) => p.databaseReasons.some((r) => reason.test(r))),
    `${what}: no 503 gave a database reason matching ${reason}: ${JSON.stringify(notReady.at(-1)?.databaseReasons)}`,
  );
}
