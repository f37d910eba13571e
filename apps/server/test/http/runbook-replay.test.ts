import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { eventually, startPgCluster, type PgCluster } from "@torghut/testing";
import {
  getJson,
  spawnLiveServer,
  startLiveServer,
  type LiveServer,
  type SpawnedServer,
} from "../support/live-server";
import { PrivateNats, type NatsUser } from "../support/private-nats";
import { readRunbook, type Expectation, type Step } from "../support/runbook";

const run = promisify(execFile);
const RUNBOOK = fileURLToPath(new URL("../../../../docs/runbooks.md", import.meta.url));

/** The NATS users of RUNBOOK-008: the old one, and the one the rotation moves to. */
const BLUE: NatsUser = { user: "torghut_blue", password: randomBytes(12).toString("hex") };
const GREEN: NatsUser = { user: "torghut_green", password: randomBytes(12).toString("hex") };

/** Runs one runbook line with bash; retried until the deadline when its expectation says "eventually". */
async function replay(step: Step, env: Record<string, string>, urls: Record<string, string>) {
  let command = step.command;
  for (const [placeholder, url] of Object.entries(urls)) command = command.replaceAll(placeholder, url);
  const once = async () => {
    // Async on purpose: the server answering these requests runs in this very process.
    const result = await run("bash", ["-o", "pipefail", "-c", command], {
      encoding: "utf8",
      timeout: 10_000,
      env: { ...process.env, ...env },
    }).then(
      (r) => ({ ...r, failed: false }),
      (error: { stdout?: string; stderr?: string; message?: string }) => ({
        stdout: error.stdout ?? "",
        stderr: error.stderr ?? error.message ?? "command failed",
        failed: true,
      }),
    );
    return { ...result, output: result.stdout.trim() };
  };
  const where = (r: { output: string; stderr: string }) =>
    `docs/runbooks.md:${step.line} (${step.setup}): ${step.command}\n→ ${r.output} ${r.stderr}`;
  const expectation: Expectation | undefined = step.expect;
  if (expectation === undefined) {
    const result = await once();
    assert.equal(result.failed, false, where(result));
    return;
  }
  const matches = (output: string) =>
    "literal" in expectation ? output === expectation.literal : expectation.pattern.test(output);
  if (expectation.eventually) {
    let last = { output: "", stderr: "" };
    await eventually(
      async () => {
        last = await once();
        return matches(last.output);
      },
      where(last),
      30_000,
    ).catch(() => assert.fail(where(last)));
    return;
  }
  const result = await once();
  if ("literal" in expectation) assert.equal(result.output, expectation.literal, where(result));
  else assert.match(result.output, expectation.pattern, where(result));
}

describe("docs/runbooks.md replayed against live servers on the simulator", () => {
  const steps = readRunbook(RUNBOOK).filter((s) => s.language === "bash");
  const dir = mkdtempSync(join(tmpdir(), "torghut-runbook-"));
  const alpacaCredentials = join(dir, "alpaca.json");
  const busCredentials = join(dir, "nats.json");
  let live: LiveServer;
  let adminToken: string;
  // The bus's and the database's servers run as processes of their own: their gauges
  // (torghut_bus_connected, torghut_database_reachable) are then theirs alone, not shared with `live`.
  /** RUNBOOK-008/009: a replica on a NATS bus of the test's own, started when first needed. */
  let bus: { nats: PrivateNats; live: SpawnedServer } | null = null;
  /** RUNBOOK-015: a server on a PostgreSQL of the test's own, to stop and start. */
  let pg: { cluster: PgCluster; live: SpawnedServer } | null = null;
  const startDatabaseServer = async () => {
    if (pg === null) {
      const cluster = await startPgCluster();
      const server = await spawnLiveServer({
        DATABASE_URL: cluster.url(),
        DATABASE_PROBE_INTERVAL_MS: "300",
        DATABASE_PROBE_TIMEOUT_MS: "1000",
        DATABASE_CONNECT_TIMEOUT_MS: "1000",
      });
      pg = { cluster, live: server };
      await eventually(
        async () => (await getJson(`${server.url}/readyz`)).status === 200,
        "ready on its own PostgreSQL",
        30_000,
      );
    }
    return pg;
  };

  const health = async (server: { url: string }, path: string) =>
    (await getJson(`${server.url}${path}`)).body;
  const datasource = async () => health(live, "/api/health/datasource");
  const stocks = async () => health(live, "/api/health/stocks");
  const ready = async (server: { url: string }) => (await getJson(`${server.url}/readyz`)).status;
  const busView = async () => (await health(bus!.live, "/health")).bus;

  const reconnectAlpaca = async () => {
    const { status } = await getJson(`${live.url}/api/health/alpaca/reconnect`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminToken}` },
    });
    assert.equal(status, 200);
  };

  const startBus = async () => {
    if (bus !== null) return bus;
    writeFileSync(busCredentials, JSON.stringify(BLUE));
    const nats = await PrivateNats.start([BLUE]);
    const server = await spawnLiveServer({
      BUS_URL: nats.url,
      BUS_CREDENTIALS_FILE: busCredentials,
      BUS_SUBJECT_PREFIX: `runbook${randomBytes(4).toString("hex")}`,
    });
    bus = { nats, live: server };
    await eventually(
      async () => (await busView()).connected === true && (await ready(server)) === 200,
      "bus up",
      30_000,
    );
    return bus;
  };

  /** Each replay-setup marker: bring the system to the state its commands describe; the server they target. */
  const setups: Record<string, () => Promise<{ url: string }>> = {
    async normal() {
      live.sim.control.clearFaults();
      writeFileSync(alpacaCredentials, JSON.stringify({ keyId: "sim-key", secretKey: "sim-secret" }));
      await eventually(
        async () => (await datasource()).connectionState === "PRIMARY_ACTIVE",
        "PRIMARY_ACTIVE",
        30_000,
      );
      await eventually(
        async () => (await stocks()).status === "Healthy" && (await ready(live)) === 200,
        "healthy and ready",
        30_000,
      );
      await eventually(async () => (await datasource()).messageRate > 0, "messages flowing", 10_000);
      return live;
    },
    async "both-down"() {
      live.sim.control.setFault({ target: "alpaca", fault: "down" });
      live.sim.control.setFault({ target: "yahoo", fault: "down" });
      await eventually(async () => (await stocks()).currentDataSource === "None", "BOTH_UNAVAILABLE", 30_000);
      await eventually(async () => (await ready(live)) === 503, "readiness 503", 30_000);
      await eventually(
        async () => (await health(live, "/api/health/alpaca")).alpacaStatus.lastError !== null,
        "an Alpaca error on the health page",
        15_000,
      );
      return live;
    },
    async "alpaca-down"() {
      live.sim.control.clearFaults();
      live.sim.control.setFault({ target: "alpaca", fault: "down" });
      await eventually(async () => (await stocks()).currentDataSource === "Yahoo", "Yahoo serving", 30_000);
      await eventually(async () => (await ready(live)) === 200, "ready on the fallback", 30_000);
      return live;
    },
    async "yahoo-standby-down"() {
      await setups.normal!();
      live.sim.control.setFault({ target: "yahoo", fault: "down" });
      await eventually(async () => (await stocks()).yahoo.healthy === false, "standby probe failed", 15_000);
      return live;
    },
    async "market-closed"() {
      await setups.normal!();
      live.sim.control.setMarketOpen(false);
      await eventually(
        async () => (await stocks()).presentation === "market-closed",
        "market closed",
        15_000,
      );
      return live;
    },
    async "halted-symbol"() {
      live.sim.control.setMarketOpen(true);
      await setups.normal!();
      live.sim.control.setFault({ target: "alpaca", fault: "halt", symbol: "TSLA" });
      await eventually(
        async () =>
          (await stocks()).symbols.some(
            (s: { symbol: string; stale: boolean }) => s.symbol === "TSLA" && s.stale,
          ),
        "TSLA stale",
        15_000,
      );
      return live;
    },
    async "future-timestamps"() {
      await setups.normal!();
      live.sim.control.setFault({ target: "alpaca", fault: "future-timestamps", seconds: 3600 });
      await eventually(
        async () => ((await datasource()).validation.rejectedByReason.future_timestamp ?? 0) > 0,
        "rejections",
        20_000,
      );
      return live;
    },
    async "connection-limit"() {
      await setups.normal!();
      // Another session holds the key: every new session is refused with 406 until it is gone.
      live.sim.control.setFault({ target: "alpaca", fault: "connection-limit" });
      await reconnectAlpaca();
      return live;
    },
    async "alpaca-key-revoked"() {
      await setups.normal!();
      // The key in the file is one Alpaca no longer accepts (revoked, or the wrong one pasted).
      writeFileSync(alpacaCredentials, JSON.stringify({ keyId: "revoked-key", secretKey: "revoked-secret" }));
      await reconnectAlpaca();
      return live;
    },
    async "bus-two-users"() {
      const { nats, live: server } = await startBus();
      await nats.setUsers([BLUE, GREEN]);
      return server;
    },
    async "bus-old-user-removed"() {
      const { nats, live: server } = await startBus();
      const reconnects = (await busView()).reconnects as number;
      await nats.setUsers([GREEN]);
      await eventually(
        async () => (await busView()).reconnects > reconnects,
        "the replica reconnected",
        30_000,
      );
      return server;
    },
    async "bus-down"() {
      const { nats, live: server } = await startBus();
      await nats.kill();
      return server;
    },
    async "database-down"() {
      const { cluster, live: server } = await startDatabaseServer();
      await cluster.stop();
      return server;
    },
    async "database-back"() {
      const { cluster, live: server } = await startDatabaseServer();
      await cluster.start();
      return server;
    },
    async "bus-back"() {
      const { nats, live: server } = await startBus();
      await nats.restart();
      return server;
    },
  };

  before(async () => {
    writeFileSync(alpacaCredentials, JSON.stringify({ keyId: "sim-key", secretKey: "sim-secret" }));
    live = await startLiveServer({
      ALPACA_CREDENTIALS_FILE: alpacaCredentials,
      // The stale-session wait after a 406, in test time.
      ALPACA_CONNECTION_LIMIT_DELAY_MS: "2000",
      SYMBOL_STALE_MIN_SECONDS: "2",
    });
    adminToken = await live.token("oncall@example.com", { admin: true });
  });
  after(async () => {
    await live?.close();
    if (bus !== null) {
      await bus.live.close();
      await bus.nats.close();
    }
    if (pg !== null) {
      await pg.live.close();
      await pg.cluster.destroy();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  test("the runbook has replayable commands for every procedure", () => {
    assert.ok(steps.length >= 80, `only ${steps.length} commands found`);
    for (const name of new Set(steps.map((s) => s.setup)))
      assert.ok(setups[name], `unknown replay-setup ${name}`);
    assert.ok(steps.filter((s) => s.command.startsWith("curl ")).every((s) => s.expect !== undefined));
  });

  // One test per stretch of the runbook under one replay-setup, in the runbook's order: each has its
  // own time budget, and a failure names the procedure.
  const sections: { setup: string; steps: Step[] }[] = [];
  for (const step of steps) {
    if (sections.at(-1)?.setup !== step.setup) sections.push({ setup: step.setup, steps: [] });
    sections.at(-1)!.steps.push(step);
  }
  for (const section of sections) {
    test(`${section.setup}: docs/runbooks.md:${section.steps[0]!.line}-${section.steps.at(-1)!.line}`, async () => {
      const server = await setups[section.setup]!();
      for (const step of section.steps) {
        await replay(
          step,
          {
            TORGHUT_ADMIN_TOKEN: adminToken,
            ALPACA_CREDENTIALS_FILE: alpacaCredentials,
            NEW_ALPACA_KEY_ID: "sim-key",
            NEW_ALPACA_SECRET_KEY: "sim-secret",
            BUS_CREDENTIALS_FILE: busCredentials,
            NEW_NATS_USER: GREEN.user,
            NEW_NATS_PASSWORD: GREEN.password,
          },
          {
            "http://localhost:5002": server.url,
            "http://localhost:8222": bus?.nats.monitorUrl ?? "http://nats-monitor-not-started",
          },
        );
      }
    });
  }
});
