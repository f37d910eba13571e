import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { eventually } from "@torghut/testing";
import { REPO } from "../support/compose-file";
import { getJson, startLiveServer, type LiveServer } from "../support/live-server";
import { startPrometheusStack, type PrometheusStack } from "../support/prometheus-stack";

// Real Prometheus and Alertmanager (Debian's packages) against a running Torghut on the simulator,
// with the shipped alert rules (only `for:` shortened) and the shipped routing: the failover alert
// is followed from pending to a delivered notification and back to resolved, and every query of
// the Grafana dashboard is run against what Prometheus scraped.

interface Notification {
  status: "firing" | "resolved";
  alerts: { status: string; labels: Record<string, string> }[];
}

describe("Prometheus and Alertmanager around a live Torghut", () => {
  let live: LiveServer;
  let stack: PrometheusStack;
  let receiver: Server;
  const notifications: Notification[] = [];

  before(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        notifications.push(JSON.parse(body) as Notification);
        res.writeHead(200).end();
      });
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    live = await startLiveServer();
    stack = await startPrometheusStack({
      metricsTarget: new URL(live.url).host,
      webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`,
      forSeconds: 3,
    });
  });
  after(async () => {
    await stack?.close();
    await live?.close();
    receiver.close();
  });

  const alertState = async (name: string): Promise<string> => {
    const { alerts } = (await stack.api("alerts")) as {
      alerts: { labels: { alertname: string }; state: string }[];
    };
    return alerts.find((a) => a.labels.alertname === name)?.state ?? "inactive";
  };
  const delivered = (name: string, status: Notification["status"]) =>
    notifications.some((n) => n.alerts.some((a) => a.labels.alertname === name && a.status === status));

  test("AlpacaDisconnected: pending → firing → delivered to Alertmanager's receiver → resolved after recovery", async () => {
    await eventually(
      async () => (await stack.api("targets")).activeTargets.some((t: any) => t.health === "up"),
      "Prometheus scraping the server",
      30_000,
    );
    await eventually(
      async () => (await getJson(`${live.url}/api/health/stocks`)).body.currentDataSource === "Alpaca",
      "streaming from Alpaca",
      30_000,
    );
    assert.equal(await alertState("AlpacaDisconnected"), "inactive");

    live.sim.control.setFault({ target: "alpaca", fault: "down" });
    const seen: string[] = [];
    await eventually(
      async () => {
        const state = await alertState("AlpacaDisconnected");
        if (seen.at(-1) !== state) seen.push(state);
        return state === "firing";
      },
      "AlpacaDisconnected firing",
      60_000,
    );
    assert.deepEqual(
      seen.filter((s) => s !== "inactive"),
      ["pending", "firing"],
      `states seen: ${seen.join(" → ")}`,
    );
    await eventually(() => delivered("AlpacaDisconnected", "firing"), "the firing alert delivered", 30_000);
    const firing = notifications.find((n) => n.status === "firing")!;
    assert.equal(firing.alerts[0]!.labels.severity, "high");
    assert.equal(firing.alerts[0]!.labels.runbook, "RUNBOOK-002");

    live.sim.control.clearFaults();
    await eventually(
      async () => (await alertState("AlpacaDisconnected")) === "inactive",
      "alert cleared",
      60_000,
    );
    await eventually(() => delivered("AlpacaDisconnected", "resolved"), "the resolution delivered", 30_000);
  });

  test("every Grafana panel's query returns series from what Prometheus scraped", async () => {
    const dashboard = JSON.parse(readFileSync(`${REPO}deploy/grafana/torghut.json`, "utf8")) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const queries = dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
    );
    assert.ok(queries.length >= 14, `only ${queries.length} queries`);
    // Scraped twice at least (rates need two samples); the failover above has happened by now.
    await eventually(
      async () => (await stack.api("query?query=count_over_time(up[1m])")).result[0]?.value[1] >= 2,
      "two scrapes",
      30_000,
    );
    const empty: string[] = [];
    for (const { panel, expr } of queries) {
      const data = (await stack.api(`query?query=${encodeURIComponent(expr)}`)) as { result: unknown[] };
      if (data.result.length === 0) empty.push(`${panel}: ${expr}`);
    }
    assert.deepEqual(empty, [], "panels with no data");
  });
});
