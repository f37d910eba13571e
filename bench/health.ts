// `npm run bench -- health [--rate 20000] [--seconds 10] [--rps 2000]`
// The server (child process, real PostgreSQL when reachable, else PGlite) ingests from the simulator
// (its own child process) at --rate trades/s while autocannon drives --rps requests/s at the health
// endpoints. Baselines in the same run: `/healthz` (the framework floor) under the same ingest, and
// `/api/health/stocks` with ingest paused. Goal: p99 < 5 ms at 2,000 req/s while ingesting.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { createTestDatabase } from "@torghut/db";
import { freePort } from "./lib/processes";

const root = fileURLToPath(new URL("..", import.meta.url));
const arg = (args: string[], name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready`);
}

function start(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

async function load(url: string, rps: number, seconds: number) {
  const result = await autocannon({ url, connections: 20, overallRate: rps, duration: seconds });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

export default async function health(args: string[]): Promise<void> {
  const rate = arg(args, "rate", 20_000);
  const seconds = arg(args, "seconds", 10);
  const rps = arg(args, "rps", 2000);
  const simPort = await freePort();
  const port = await freePort();
  const database = await createTestDatabase(
    process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    "torghut_bench",
  ).catch(() => null);
  const sim = start("apps/market-sim/src/cli.ts", ["--port", String(simPort), "--rate", String(rate)], {});
  const server = start("apps/server/src/main.ts", [], {
    PORT: String(port),
    LOG_LEVEL: "warn",
    ALPACA_KEY_ID: "sim-key",
    ALPACA_SECRET_KEY: "sim-secret",
    ALPACA_STREAM_URL: `ws://127.0.0.1:${simPort}`,
    ALPACA_DATA_URL: `http://127.0.0.1:${simPort}`,
    YAHOO_BASE_URL: `http://127.0.0.1:${simPort}`,
    DATA_DIR: `/tmp/torghut-bench-health-${process.pid}`,
    ...(database ? { DATABASE_URL: database.url } : {}),
  });
  try {
    await waitFor(`http://127.0.0.1:${simPort}/control/counters`, sim);
    await waitFor(`http://127.0.0.1:${port}/readyz`, server);
    const base = `http://127.0.0.1:${port}`;
    const rateNow = async () =>
      ((await (await fetch(`${base}/api/health/datasource`)).json()) as { messageRate: number }).messageRate;
    console.log(
      `health bench: ${rps} req/s for ${seconds}s per endpoint; simulator at ${rate} trades/s; ${database ? "PostgreSQL" : "PGlite"}`,
    );
    const rows: [string, Awaited<ReturnType<typeof load>>, number][] = [];
    for (const path of ["/api/health/stocks", "/readyz", "/api/health/datasource", "/healthz"]) {
      const result = await load(base + path, rps, seconds);
      rows.push([`${path} (ingesting)`, result, await rateNow()]);
    }
    await fetch(`http://127.0.0.1:${simPort}/control/rate`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tradesPerSecond: 0 }),
    });
    rows.push([
      "/api/health/stocks (idle, baseline)",
      await load(`${base}/api/health/stocks`, rps, seconds),
      0,
    ]);
    console.log("\n| endpoint | req/s | p50 ms | p99 ms | errors | ingest msgs/s |");
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const [name, r, ingest] of rows) {
      console.log(
        `| ${name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${ingest.toFixed(0)} |`,
      );
    }
    const worst = Math.max(...rows.slice(0, 2).map(([, r]) => r.p99));
    console.log(
      `\ngoal p99 < 5 ms at ${rps} req/s while ingesting: ${worst < 5 ? "MET" : "NOT MET"} (worst p99 ${worst} ms)`,
    );
  } finally {
    server.kill("SIGTERM");
    sim.kill("SIGTERM");
    await Promise.all(
      [server, sim].map((c) =>
        c.exitCode === null ? new Promise((r) => c.once("exit", r)) : Promise.resolve(),
      ),
    );
    await database?.drop().catch(() => undefined);
  }
}
