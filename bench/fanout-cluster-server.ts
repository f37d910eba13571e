// The `hub-x2` server of bench/fanout.ts: both cores behind one publisher. This primary process
// forks one fanout-server.ts worker (our hub + /ws) per core with node:cluster; the workers share
// one listening port and the primary hands accepted connections to them in turn, so each holds
// half of the clients. In the steady phase the primary builds each trade, as the one ingest
// pipeline would, and sends it to every worker over IPC (publish→client includes that hop); in the
// saturated phases each worker runs its own closed loop over its half. Replies as fanout-server.ts.
import cluster, { type Worker } from "node:cluster";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { benchTrade, reply } from "./lib/fanout";
import { request } from "./lib/processes";

type Command =
  | { cmd: "mem" }
  | {
      cmd: "run";
      mode: "rate" | "saturate";
      publishesPerSecond: number;
      seconds: number;
      symbols: number;
      batch: number;
      profile?: boolean;
    }
  | { cmd: "close" };

interface Ran {
  published: number;
  seconds: number;
  inServerP50: number;
  inServerP99: number;
  cpuPercent: number;
  rss: number;
  stages: Record<string, { p50: number; p99: number }>;
}

const workerCount = Number(process.argv[2] ?? cpus().length);
cluster.setupPrimary({
  exec: fileURLToPath(new URL("./fanout-server.ts", import.meta.url)),
  args: ["hub"],
  execArgv: process.execArgv,
});
const workers: Worker[] = Array.from({ length: workerCount }, () => cluster.fork());
const ask = <T>(worker: Worker, message: unknown, expect: string): Promise<T> =>
  request<T>(worker.process, message, expect);
const askAll = <T>(message: unknown, expect: string): Promise<T[]> =>
  Promise.all(workers.map((worker) => ask<T>(worker, message, expect)));

/** Trades at `publishesPerSecond` for `seconds`, each sent to every worker. */
async function relay(command: Extract<Command, { cmd: "run" }>): Promise<number> {
  const symbols = Array.from({ length: command.symbols }, (_, i) => `S${i}`);
  const started = performance.now();
  const end = started + command.seconds * 1000;
  let published = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(((now - started) / 1000) * command.publishesPerSecond);
      while (published < due) {
        const trade = benchTrade(symbols[published % symbols.length]!, published++);
        for (const worker of workers) worker.send({ cmd: "publish", trade });
      }
      if (now >= end) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  return published;
}

/** The figures of all workers as one server's: in-server percentiles are the worst worker's. */
function merge(runs: Ran[], published: number | null, cpuPercent: number): Ran {
  const worst = (pick: (ran: Ran) => number): number => Math.max(...runs.map(pick));
  const stages: Ran["stages"] = {};
  for (const stage of Object.keys(runs[0]!.stages)) {
    stages[stage] = { p50: worst((r) => r.stages[stage]!.p50), p99: worst((r) => r.stages[stage]!.p99) };
  }
  return {
    published: published ?? runs.reduce((sum, ran) => sum + ran.published, 0),
    seconds: worst((r) => r.seconds),
    inServerP50: worst((r) => r.inServerP50),
    inServerP99: worst((r) => r.inServerP99),
    cpuPercent,
    rss: runs.reduce((sum, ran) => sum + ran.rss, 0),
    stages,
  };
}

async function run(command: Extract<Command, { cmd: "run" }>): Promise<void> {
  if (command.mode === "saturate") {
    const runs = await askAll<Ran>(command, "ran");
    reply({
      ...merge(
        runs,
        null,
        runs.reduce((sum, ran) => sum + ran.cpuPercent, 0),
      ),
      cmd: "ran",
    });
    return;
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const ran = askAll<Ran>({ ...command, mode: "relay" }, "ran");
  const published = await relay(command);
  for (const worker of workers) worker.send({ cmd: "stop" });
  const runs = await ran;
  const cpu = process.cpuUsage(cpuBefore);
  const primaryPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - started)) * 100;
  const cpuPercent = primaryPercent + runs.reduce((sum, r) => sum + r.cpuPercent, 0);
  reply({ ...merge(runs, published, cpuPercent), cmd: "ran" });
}

process.on("message", (command: Command) => {
  if (command.cmd === "mem") {
    void askAll<{ rss: number; heapUsed: number }>(command, "mem").then((mems) =>
      reply({
        cmd: "mem",
        rss: mems.reduce((sum, m) => sum + m.rss, 0),
        heapUsed: mems.reduce((sum, m) => sum + m.heapUsed, 0),
      }),
    );
  } else if (command.cmd === "run") {
    void run(command);
  } else {
    for (const worker of workers) worker.send(command);
    void Promise.all(workers.map((w) => new Promise((resolve) => w.once("exit", resolve)))).then(() =>
      process.exit(0),
    );
  }
});

void Promise.all(
  workers.map((worker) => ask<{ port: number; token: string }>(worker, null, "listening")),
).then((listening) => {
  const ports = new Set(listening.map((l) => l.port));
  if (ports.size !== 1) throw new Error(`workers listen on different ports: ${[...ports].join(", ")}`);
  reply({ cmd: "listening", port: listening[0]!.port, token: listening[0]!.token });
});
