import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@torghut/testing";
import { parse, stringify } from "yaml";
import { REPO } from "./compose-file";

/** The Debian packages' binaries (prometheus, prometheus-alertmanager): .ci/run installs them. */
const PROMETHEUS = "prometheus";
const ALERTMANAGER = "prometheus-alertmanager";

export interface PrometheusStack {
  prometheus: string;
  alertmanager: string;
  /** Prometheus's HTTP API: GET `path` under /api/v1, the `data` of its answer. */
  api(path: string): Promise<any>;
  close(): Promise<void>;
}

/** A port that was free a moment ago (the two daemons take an address, not port 0). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, "close");
  return port;
}

function requireBinary(name: string, apt: string): void {
  const found = spawnSync(name, ["--version"], { encoding: "utf8" });
  assert.ok(found.error === undefined && found.status === 0, `${name} is missing: apt-get install -y ${apt}`);
}

/**
 * Real Prometheus and Alertmanager configured from the shipped files (deploy/prometheus/*.yml,
 * deploy/alertmanager/alertmanager.yml) with only what a test must change: the scrape target is
 * `metricsTarget`, every interval and `for:` is seconds instead of minutes, and the on-call
 * receiver posts to `webhookUrl`. The rules and the routing are the shipped ones.
 */
export async function startPrometheusStack(options: {
  metricsTarget: string;
  webhookUrl: string;
  forSeconds: number;
}): Promise<PrometheusStack> {
  requireBinary(PROMETHEUS, "prometheus");
  requireBinary(ALERTMANAGER, "prometheus-alertmanager");
  const dir = mkdtempSync(join(tmpdir(), "torghut-prometheus-"));
  const [promPort, amPort] = [await freePort(), await freePort()];

  const rules = parse(readFileSync(`${REPO}deploy/prometheus/alerts.yml`, "utf8"));
  for (const group of rules.groups)
    for (const rule of group.rules) if (rule.for) rule.for = `${options.forSeconds}s`;
  writeFileSync(join(dir, "alerts.yml"), stringify(rules));

  const prometheus = parse(readFileSync(`${REPO}deploy/prometheus/prometheus.yml`, "utf8"));
  prometheus.global = { scrape_interval: "1s", evaluation_interval: "1s" };
  prometheus.alerting.alertmanagers[0].static_configs[0].targets = [`127.0.0.1:${amPort}`];
  const [job] = prometheus.scrape_configs;
  delete job.dns_sd_configs;
  job.static_configs = [{ targets: [options.metricsTarget] }];
  writeFileSync(join(dir, "prometheus.yml"), stringify(prometheus));

  const alertmanager = parse(readFileSync(`${REPO}deploy/alertmanager/alertmanager.yml`, "utf8"));
  Object.assign(alertmanager.route, { group_wait: "1s", group_interval: "1s", repeat_interval: "1h" });
  for (const route of alertmanager.route.routes ?? []) route.group_wait = "0s";
  const onCall = alertmanager.receivers.find((r: { name: string }) => r.name === alertmanager.route.receiver);
  onCall.webhook_configs = [{ url: options.webhookUrl, send_resolved: true }];
  writeFileSync(join(dir, "alertmanager.yml"), stringify(alertmanager));

  const children: ChildProcess[] = [];
  const logs: string[] = [];
  const start = (binary: string, args: string[]) => {
    const child = spawn(binary, args, { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr.on("data", (chunk: Buffer) => logs.push(chunk.toString()));
    children.push(child);
  };
  start(ALERTMANAGER, [
    `--config.file=${join(dir, "alertmanager.yml")}`,
    `--storage.path=${join(dir, "am")}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    "--cluster.listen-address=",
    "--log.level=warn",
  ]);
  start(PROMETHEUS, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "tsdb")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
    "--log.level=warn",
  ]);
  const urls = { prometheus: `http://127.0.0.1:${promPort}`, alertmanager: `http://127.0.0.1:${amPort}` };
  const close = async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, "exit");
        child.kill("SIGTERM");
        await exited;
      }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const url of Object.values(urls))
      await eventually(
        async () => (await fetch(`${url}/-/ready`).catch(() => null))?.ok === true,
        `${url} ready (${logs.join("").slice(-2000)})`,
        30_000,
      );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    ...urls,
    async api(path) {
      const res = await fetch(`${urls.prometheus}/api/v1/${path}`);
      const body = (await res.json()) as { status: string; data: unknown; error?: string };
      assert.equal(body.status, "success", `${path}: ${body.error}`);
      return body.data;
    },
    close,
  };
}
