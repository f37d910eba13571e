import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { eventually } from "@torghut/testing";
import { getJson, startLiveServer, type LiveServer } from "../support/live-server";

const run = promisify(execFile);

interface Step {
  setup: string;
  command: string;
  expect: { literal: string } | { pattern: RegExp };
  line: number;
}

/** Every `curl` line of a ```bash block in docs/runbooks.md, with its setup and expectation. */
function readRunbook(): Step[] {
  const path = fileURLToPath(new URL("../../../../docs/runbooks.md", import.meta.url));
  const lines = readFileSync(path, "utf8").split("\n");
  const steps: Step[] = [];
  let setup = "normal";
  let inBash = false;
  lines.forEach((text, i) => {
    const marker = /<!-- replay-setup: ([\w-]+) -->/.exec(text);
    if (marker) setup = marker[1]!;
    if (text.startsWith("```")) inBash = text.trim() === "```bash";
    else if (inBash && text.startsWith("curl ")) {
      const next = lines[i + 1] ?? "";
      const literal = /^# expect: (.*)$/.exec(next);
      const pattern = /^# expect~ (.*)$/.exec(next);
      assert.ok(literal || pattern, `docs/runbooks.md:${i + 1}: curl without an '# expect' line`);
      steps.push({
        setup,
        command: text,
        expect: literal ? { literal: literal[1]! } : { pattern: new RegExp(pattern![1]!) },
        line: i + 1,
      });
    }
  });
  return steps;
}

describe("docs/runbooks.md replayed against a live server on the simulator", () => {
  let live: LiveServer;
  let adminToken: string;
  const steps = readRunbook();

  const datasource = async () => (await getJson(`${live.url}/api/health/datasource`)).body;
  const stocks = async () => (await getJson(`${live.url}/api/health/stocks`)).body;
  const ready = async () => (await getJson(`${live.url}/readyz`)).status;

  const setups: Record<string, () => Promise<void>> = {
    async normal() {
      live.sim.control.clearFaults();
      await eventually(
        async () => (await datasource()).connectionState === "PRIMARY_ACTIVE",
        "PRIMARY_ACTIVE",
        30_000,
      );
      await eventually(
        async () => (await stocks()).status === "Healthy" && (await ready()) === 200,
        "healthy and ready",
        30_000,
      );
      await eventually(async () => (await datasource()).messageRate > 0, "messages flowing", 10_000);
    },
    async "both-down"() {
      live.sim.control.setFault({ target: "alpaca", fault: "down" });
      live.sim.control.setFault({ target: "yahoo", fault: "down" });
      await eventually(async () => (await stocks()).currentDataSource === "None", "BOTH_UNAVAILABLE", 30_000);
      await eventually(async () => (await ready()) === 503, "readiness 503", 30_000);
      await eventually(
        async () => (await getJson(`${live.url}/api/health/alpaca`)).body.alpacaStatus.lastError !== null,
        "an Alpaca error on the health page",
        15_000,
      );
    },
    async "alpaca-down"() {
      live.sim.control.clearFaults();
      live.sim.control.setFault({ target: "alpaca", fault: "down" });
      await eventually(async () => (await stocks()).currentDataSource === "Yahoo", "Yahoo serving", 30_000);
      await eventually(async () => (await ready()) === 200, "ready on the fallback", 30_000);
    },
    async "yahoo-standby-down"() {
      await setups.normal!();
      live.sim.control.setFault({ target: "yahoo", fault: "down" });
      await eventually(async () => (await stocks()).yahoo.healthy === false, "standby probe failed", 15_000);
    },
    async "market-closed"() {
      await setups.normal!();
      live.sim.control.setMarketOpen(false);
      await eventually(
        async () => (await stocks()).presentation === "market-closed",
        "market closed",
        15_000,
      );
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
    },
    async "future-timestamps"() {
      await setups.normal!();
      live.sim.control.setFault({ target: "alpaca", fault: "future-timestamps", seconds: 3600 });
      await eventually(
        async () => ((await datasource()).validation.rejectedByReason.future_timestamp ?? 0) > 0,
        "rejections",
        20_000,
      );
    },
  };

  before(async () => {
    live = await startLiveServer({ SYMBOL_STALE_MIN_SECONDS: "2" });
    adminToken = await live.token("oncall@example.com", { admin: true });
  });
  after(async () => live.close());

  test("the runbook has replayable commands for every procedure", () => {
    assert.ok(steps.length >= 40, `only ${steps.length} commands found`);
    for (const name of new Set(steps.map((s) => s.setup)))
      assert.ok(setups[name], `unknown replay-setup ${name}`);
  });

  test("every curl | jq command answers as the runbook says", async () => {
    let current = "";
    for (const step of steps) {
      if (step.setup !== current) {
        current = step.setup;
        await setups[current]!();
      }
      const command = step.command.replaceAll("http://localhost:5002", live.url);
      // Async on purpose: the server answering these requests runs in this very process.
      const result = await run("bash", ["-o", "pipefail", "-c", command], {
        encoding: "utf8",
        timeout: 10_000,
        env: { ...process.env, TORGHUT_ADMIN_TOKEN: adminToken },
      }).catch((error: { stdout?: string; stderr?: string; message?: string }) => ({
        stdout: error.stdout ?? "",
        stderr: error.stderr ?? error.message ?? "command failed",
      }));
      const output = result.stdout.trim();
      const where = `docs/runbooks.md:${step.line} (${step.setup}): ${step.command}\n→ ${output} ${result.stderr}`;
      if ("literal" in step.expect) assert.equal(output, step.expect.literal, where);
      else assert.match(output, step.expect.pattern, where);
    }
  });
});
