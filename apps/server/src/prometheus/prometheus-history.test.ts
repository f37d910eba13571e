import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { opsHistoryResponseSchema, type OpsHistoryResponse } from "@torghut/contracts";
import { createDb, type Database } from "@torghut/db";
import { eventually } from "@torghut/testing";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { systemClock } from "../clock";
import { registerMetricsRoutes } from "../http/metrics";
import { OpsHistory } from "../http/ops-history";
import { registerOpsConsoleRoutes } from "../http/ops-console-routes";
import { createHttpServer } from "../http/server";
import { registry } from "../metrics/registry";
import { messageRateSources } from "../pipeline/metrics";
import { realtimeMetrics } from "../realtime/metrics";
import { PrometheusHistory } from "./prometheus-history";

/** A port free a moment ago: Prometheus cannot report the port it got for :0. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

// A real Prometheus (CI's apt step installs it) scraping a real server on port 0 every second; the
// ops console's history route reads it with query_range, and falls back when it stops answering.
describe("ops history from Prometheus (PROMETHEUS_URL)", () => {
  let db: Database;
  let server: FastifyInstance;
  let prometheus: ChildProcess;
  let dir: string;
  let history: OpsHistory;
  const rate = () => 42;
  const get = async (): Promise<OpsHistoryResponse> =>
    opsHistoryResponseSchema.parse((await server.inject({ url: "/api/health/history" })).json());
  const fallbacks = async () =>
    (await registry.getSingleMetric("ops_history_prometheus_fallbacks_total")?.get())?.values[0]?.value ?? 0;

  before(async () => {
    db = await createDb({ inMemory: true });
    messageRateSources.add(rate);
    realtimeMetrics.connections.set({ transport: "ws" }, 3);
    const promPort = await freePort();
    server = createHttpServer({ logger: pino({ level: "silent" }) });
    registerMetricsRoutes(server);
    history = new OpsHistory(systemClock, () => ({
      messageRate: 7,
      feedLagMs: null,
      writerLagMs: null,
      clients: 1,
    }));
    registerOpsConsoleRoutes(server, {
      database: db,
      clock: systemClock,
      history,
      prometheus: new PrometheusHistory({
        baseUrl: `http://127.0.0.1:${promPort}`,
        clock: systemClock,
        stepMs: 1_000,
        windowMs: 120_000,
        timeoutMs: 1_000,
      }),
    });
    await server.listen({ port: 0, host: "127.0.0.1" });
    history.start();
    const target = `127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    dir = mkdtempSync(join(tmpdir(), "i18-prometheus-"));
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: torghut\n    static_configs:\n      - targets: ["${target}"]\n`,
    );
    prometheus = spawn(
      "prometheus",
      [
        `--config.file=${join(dir, "prometheus.yml")}`,
        `--storage.tsdb.path=${join(dir, "data")}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: "ignore" },
    );
  });

  after(async () => {
    prometheus.kill("SIGCONT");
    prometheus.kill("SIGKILL");
    messageRateSources.delete(rate);
    history.stop();
    history.stop();
    await server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test("the charts' figures come from Prometheus's range query of the scraped server", async () => {
    const body = await eventually(
      async () => {
        const history = await get();
        return history.source === "prometheus" &&
          history.samples.some((s) => s.messageRate === 42 && s.clients === 3)
          ? history
          : null;
      },
      "Prometheus has scraped message_rate and the connections",
      60_000,
    );
    assert.equal(body.problem, null);
    assert.equal(body.intervalMs, 1_000);
    const times = body.samples.map((s) => s.at);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      "oldest first",
    );
    assert.ok(
      body.samples.every((s) => s.messageRate !== 7),
      "no sample from the in-memory history (its rate is 7)",
    );
  });

  test("Prometheus frozen (SIGSTOP): the console gets this server's own history, says why, and counts it", async () => {
    const before = await fallbacks();
    prometheus.kill("SIGSTOP");
    try {
      const body = await get();
      assert.equal(body.source, "memory");
      assert.match(body.problem ?? "", /Prometheus unreachable: .*showing this server's own history/);
      assert.ok(body.samples.some((s) => s.messageRate === 7));
      assert.equal((await fallbacks()) - before, 1);
    } finally {
      prometheus.kill("SIGCONT");
    }
    await eventually(async () => (await get()).source === "prometheus", "Prometheus answers again", 30_000);
  });
});
