// `npm run bench -- fanout [--clients 1000,5000] [--rate 10] [--seconds 10] [--idle 10000]
//                          [--servers hub,hub-queued,hub-x2,hub-signalr,hub-socketio,socketio,naive,floor] [--batch 10]
//                          [--quick] [--profile] [--paired]`
// --profile: a CPU profile of each steady-rate phase in the server, printed as its top self-time
// functions (it costs CPU itself, so the latency figures of a profiled run are not the ones to quote).
// Our hub over /ws, /hubs/market-data (SignalR) and /socket.io, against two baselines measured in
// the same run at the same load: a plain socket.io broadcast and a naive `ws` broadcast that
// stringifies per client; and a `floor` that writes one pre-built frame to every socket and nothing
// else, to show what the kernel alone costs per delivery on this box. Servers and clients run in
// separate child processes on loopback. Saturation is measured twice: one publication per round,
// and rounds of --batch publications on distinct symbols (one upstream frame with several trades).
import { execSync, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import type { Protocol as ClientProtocol } from "./fanout-raw-client";
import type { SelfTime } from "./lib/cpu-profile";
import { fixed as f, forkServerAndClients, pause, stopServerAndClients } from "./lib/fanout";
import { request } from "./lib/processes";

const execArgv = ["--import", "tsx", "--expose-gc"];

/**
 * What a row measures: a client protocol's server; `hub-x2`, our hub over /ws on a process per core;
 * or `hub-queued`, our hub over /ws with `directWrites: false` (every publication through the queue
 * and the end-of-turn flush, as before issue #21's direct write), to compare both in the same run.
 */
type Protocol = ClientProtocol | "hub-x2" | "hub-queued";

interface Args {
  clients: number[];
  rate: number;
  seconds: number;
  saturateSeconds: number;
  idle: number;
  batch: number;
  servers: Protocol[];
  profile: boolean;
  paired: boolean;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes("--quick");
  const value = (name: string): string | undefined => {
    const at = argv.indexOf(`--${name}`);
    return at === -1 ? undefined : argv[at + 1];
  };
  return {
    clients: (value("clients") ?? (quick ? "200,1000" : "1000,5000")).split(",").map(Number),
    rate: Number(value("rate") ?? 10),
    seconds: Number(value("seconds") ?? (quick ? 3 : 10)),
    saturateSeconds: Number(value("saturate-seconds") ?? (quick ? 2 : 4)),
    idle: Number(value("idle") ?? (quick ? 2000 : 10_000)),
    batch: Number(value("batch") ?? 10),
    servers: (value("servers") ?? "hub,hub-signalr,hub-socketio,socketio,naive,floor").split(
      ",",
    ) as Protocol[],
    profile: argv.includes("--profile"),
    paired: argv.includes("--paired"),
  };
}

interface Pair {
  server: ChildProcess;
  clients: ChildProcess;
  port: number;
  token: string;
  baseRss: number;
  baseHeap: number;
}

async function startPair(protocol: Protocol): Promise<Pair> {
  // hub-x2: our hub on a worker process per core (bench/fanout-cluster-server.ts).
  const { server, clients, port, token } =
    protocol === "hub-x2"
      ? await forkServerAndClients("fanout-cluster-server.ts", [], execArgv)
      : await forkServerAndClients("fanout-server.ts", [protocol], execArgv);
  await pause(300);
  const { rss, heapUsed } = await request<{ rss: number; heapUsed: number }>(server, { cmd: "mem" }, "mem");
  return { server, clients, port, token, baseRss: rss, baseHeap: heapUsed };
}

/** Server memory per connection (bytes): RSS and JS heap after a forced GC. */
async function connect(
  pair: Pair,
  protocol: Protocol,
  count: number,
): Promise<{ rss: number; heap: number }> {
  await request(
    pair.clients,
    {
      cmd: "connect",
      port: pair.port,
      protocol: protocol === "hub-x2" || protocol === "hub-queued" ? "hub" : protocol,
      count,
      token: pair.token,
    },
    "connected",
  );
  await pause(500);
  const { rss, heapUsed } = await request<{ rss: number; heapUsed: number }>(
    pair.server,
    { cmd: "mem" },
    "mem",
  );
  return { rss: (rss - pair.baseRss) / count, heap: (heapUsed - pair.baseHeap) / count };
}

interface Ran {
  published: number;
  seconds: number;
  inServerP50: number;
  inServerP99: number;
  cpuPercent: number;
  rss: number;
  /** Our hub only: per-stage p50 / p99 ms. */
  stages: Record<string, { p50: number; p99: number }>;
  profile?: SelfTime[];
}
interface Report {
  received: number;
  p50: number;
  p99: number;
}

async function phase(
  pair: Pair,
  mode: "rate" | "saturate",
  publishesPerSecond: number,
  seconds: number,
  symbols: number,
  batch = 1,
  profile = false,
) {
  await request(pair.clients, { cmd: "reset" }, "reset");
  const ran = await request<Ran>(
    pair.server,
    { cmd: "run", mode, publishesPerSecond, seconds, symbols, batch, profile },
    "ran",
  );
  const report = await request<Report>(pair.clients, { cmd: "report" }, "report");
  return { ran, report, deliveriesPerSecond: report.received / ran.seconds };
}

/** Where the hub's time went in the steady phase, and (with --profile) the top self-time functions. */
function printStages(protocol: Protocol, count: number, ran: Ran): void {
  const stages = Object.entries(ran.stages);
  if (stages.length > 0) {
    const cells = stages.map(([stage, { p50, p99 }]) => `${stage} ${f(p50, 2)} / ${f(p99, 2)}`);
    console.log(`  ${protocol} ${count} stages p50 / p99 ms: ${cells.join(" · ")}`);
  }
  if (ran.profile === undefined) return;
  console.log(`  ${protocol} ${count} CPU profile, top self time (% of non-idle samples):`);
  for (const { fn, percent, ms } of ran.profile)
    console.log(`    ${f(percent, 1).padStart(5)} %  ${f(ms, 0).padStart(6)} ms  ${fn}`);
}

/**
 * Server CPU per frame it handed to a socket: every publication goes to every client. In the
 * saturated phase (one publication per round, each fan-out finished before the next) no frames are
 * joined, so this is the per-delivery cost, and CPU time, unlike latency, barely depends on what else
 * the box runs. In the steady phase a server that falls behind joins frames and pays less per frame.
 */
function cpuMicrosPerDelivery(phase: { ran: Ran }, count: number): number {
  const cpuSeconds = (phase.ran.cpuPercent / 100) * phase.ran.seconds;
  return (cpuSeconds * 1e6) / (phase.ran.published * count);
}

function rowOf(protocol: Protocol, count: number, rate: number, m: Measured): string {
  const { steady, saturated, batched, perConnection } = m;
  const perCpuSecond = steady.deliveriesPerSecond / (steady.ran.cpuPercent / 100);
  return (
    `| ${protocol} | ${count} | ${f(steady.deliveriesPerSecond, 0)} (${count * rate}) | ` +
    `${f(steady.ran.inServerP50, 2)} / ${f(steady.ran.inServerP99, 2)} | ${f(steady.report.p50, 2)} / ${f(steady.report.p99, 2)} | ` +
    `${f(steady.ran.cpuPercent)} | ${f(perCpuSecond, 0)} | ${f(saturated.deliveriesPerSecond, 0)} | ` +
    `${f(batched.deliveriesPerSecond, 0)} | ${f(perConnection.rss / 1024)} | ` +
    `${f(cpuMicrosPerDelivery(steady, count), 2)} / ${f(cpuMicrosPerDelivery(saturated, count), 2)} |`
  );
}

type Measured = {
  perConnection: { rss: number; heap: number };
  steady: Awaited<ReturnType<typeof phase>>;
  saturated: Awaited<ReturnType<typeof phase>>;
  batched: Awaited<ReturnType<typeof phase>>;
};

/** One server's phases, one after the other. */
async function measure(args: Args, pair: Pair, protocol: Protocol, count: number): Promise<Measured> {
  const perConnection = await connect(pair, protocol, count);
  const steady = await phase(pair, "rate", args.rate, args.seconds, 10, 1, args.profile);
  const saturated = await phase(pair, "saturate", 0, args.saturateSeconds, 50);
  const batched = await phase(pair, "saturate", 0, args.saturateSeconds, 50, args.batch);
  return { perConnection, steady, saturated, batched };
}

async function measuredRow(args: Args, protocol: Protocol, count: number): Promise<[string, Measured]> {
  const pair = await startPair(protocol);
  try {
    const measured = await measure(args, pair, protocol, count);
    const row = rowOf(protocol, count, args.rate, measured);
    console.log(row);
    printStages(protocol, count, measured.steady.ran);
    return [row, measured];
  } finally {
    await stopServerAndClients(pair);
  }
}

/** The figures a ratio row compares; below 1 for a latency means the first server was faster. */
function figures(m: Measured, count: number): number[] {
  const { steady, saturated } = m;
  return [
    steady.ran.inServerP50,
    steady.ran.inServerP99,
    steady.report.p50,
    steady.report.p99,
    steady.deliveriesPerSecond / (steady.ran.cpuPercent / 100),
    saturated.deliveriesPerSecond,
    cpuMicrosPerDelivery(saturated, count),
  ];
}

/** Same-run ratios of our hub against each baseline, per client count (what BENCHMARKS.md quotes). */
function ratioRows(measured: Map<string, Measured>, args: Args): string[] {
  const rows = [
    "| ratio (same run) | clients | in-server p50 | in-server p99 | publish→client p50 | publish→client p99 | deliveries per CPU-s | saturated | CPU µs per delivery, saturated |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  const pairs = [
    ["hub", "floor"],
    ["hub", "socketio"],
    ["hub", "hub-queued"],
    ["hub-queued", "floor"],
    ["hub-x2", "floor"],
    ["hub-x2", "hub"],
  ] as const;
  for (const count of args.clients) {
    for (const [a, b] of pairs) {
      const ours = measured.get(`${a} ${count}`);
      const base = measured.get(`${b} ${count}`);
      if (ours === undefined || base === undefined) continue;
      const baseFigures = figures(base, count);
      const cells = figures(ours, count).map((value, i) => f(value / baseFigures[i]!, 2));
      rows.push(`| ${a} / ${b} | ${count} | ${cells.join(" | ")} |`);
    }
  }
  return rows.length > 2 ? rows : [];
}

const loadAverage = (): string => execSync("cat /proc/loadavg").toString().split(" ").slice(0, 3).join(" ");

/**
 * --paired: every server at once, each with its own client process, phase by phase in the same
 * window, so a box whose load changes from minute to minute loads them all alike. They share the
 * CPU with each other too, so compare the rows with each other, not with unpaired runs.
 */
async function pairedRows(args: Args, count: number, into: Map<string, Measured>): Promise<string[]> {
  const pairs = await Promise.all(args.servers.map((protocol) => startPair(protocol)));
  try {
    const measured = await Promise.all(pairs.map((pair, i) => measure(args, pair, args.servers[i]!, count)));
    return measured.map((m, i) => {
      const row = rowOf(args.servers[i]!, count, args.rate, m);
      console.log(row);
      printStages(args.servers[i]!, count, m.steady.ran);
      into.set(`${args.servers[i]!} ${count}`, m);
      return row;
    });
  } finally {
    await Promise.all(pairs.map((pair) => stopServerAndClients(pair)));
  }
}

export default async function fanout(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const limit = execSync("ulimit -n", { shell: "/bin/bash" }).toString().trim();
  console.log(
    `fan-out bench: ${cpus().length} cores, node ${process.version}, ulimit -n ${limit}, load average ${loadAverage()}`,
  );
  console.log(
    `input: ${args.rate} frames/s to every client (10 symbols on lines:*), ${args.seconds}s per run; loopback only\n`,
  );
  const rows: string[] = [];
  const measured = new Map<string, Measured>();
  const header = `| server | clients | deliveries/s (expected) | in-server p50 / p99 ms | publish→client p50 / p99 ms | server CPU % | deliveries per CPU-s | saturated deliveries/s | saturated, ${args.batch} per round | RSS/conn KB | CPU µs per delivery, steady / saturated |`;
  rows.push(header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const count of args.clients) {
    if (args.paired) rows.push(...(await pairedRows(args, count, measured)));
    else
      for (const protocol of args.servers) {
        const [row, m] = await measuredRow(args, protocol, count);
        rows.push(row);
        measured.set(`${protocol} ${count}`, m);
      }
  }
  console.log("\n" + rows.join("\n"));
  const ratios = ratioRows(measured, args);
  if (ratios.length > 0) console.log("\n" + ratios.join("\n"));
  console.log(`\nload average at the end of the latency runs: ${loadAverage()}`);

  if (args.idle > 0) {
    const idleRows = [
      "| server | idle connections | RSS per connection KB | JS heap per connection KB |",
      "|---|---:|---:|---:|",
    ];
    for (const protocol of args.servers) {
      const pair = await startPair(protocol);
      try {
        const perConnection = await connect(pair, protocol, args.idle);
        idleRows.push(
          `| ${protocol} | ${args.idle} | ${f(perConnection.rss / 1024)} | ${f(perConnection.heap / 1024)} |`,
        );
        console.log(idleRows.at(-1));
      } catch (error) {
        idleRows.push(`| ${protocol} | ${args.idle} | failed: ${(error as Error).message} |`);
      } finally {
        await stopServerAndClients(pair);
      }
    }
    console.log("\n" + idleRows.join("\n"));
  }

  // Scale-out rows (bench/fanout-replicas.ts): the same load through two realtime replicas over NATS.
  if (!argv.includes("--no-replicas")) {
    const { replicaRows } = await import("./fanout-replicas");
    const replicas = await replicaRows({ clients: args.clients, rate: args.rate, seconds: args.seconds });
    console.log("\n" + replicas.join("\n"));
  }
}
