// The "two replicas over NATS" rows of `npm run bench -- fanout`: the leader's trades go through
// the real nats-server (127.0.0.1:4222 unless --nats) to two realtime replicas, each a child process
// with its own hub and half the clients. Baseline in the same run and at the same load: one replica
// holding all the clients. Publish→client latency includes the NATS hop (and the JSON decode).
// `npm run bench -- fanout` runs it after its own rows; `--no-replicas` skips it.
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { NatsBus } from "../apps/server/src/bus";
import { benchTrade, fixed as f, forkServerAndClients, pause, stopServerAndClients } from "./lib/fanout";
import { request } from "./lib/processes";

const execArgv = ["--import", "tsx"];

export interface ReplicaBenchArgs {
  clients: number[];
  rate: number;
  seconds: number;
  natsUrl?: string;
}

interface Replica {
  server: ChildProcess;
  clients: ChildProcess;
}

async function startReplica(natsUrl: string, prefix: string, id: string, count: number): Promise<Replica> {
  const { server, clients, port, token } = await forkServerAndClients(
    "fanout-replica-server.ts",
    [natsUrl, prefix, id],
    execArgv,
  );
  await request(clients, { cmd: "connect", port, protocol: "hub", count, token }, "connected");
  return { server, clients };
}

/** Publishes `rate` trades/s over 10 symbols for `seconds` on the bus, as the ingest leader does. */
async function publishFor(bus: NatsBus, rate: number, seconds: number): Promise<void> {
  const started = performance.now();
  let published = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const now = performance.now();
      const due = Math.floor(((now - started) / 1000) * rate);
      while (published < due) {
        const trade = benchTrade(`S${published % 10}`, published);
        bus.publish({ type: "trade", trade });
        published++;
      }
      if (now >= started + seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
}

async function measure(
  replicaCount: number,
  clients: number,
  args: ReplicaBenchArgs,
  natsUrl: string,
): Promise<string> {
  const prefix = `torghut-bench.${process.pid}-${randomBytes(3).toString("hex")}`;
  const leader = new NatsBus({ url: natsUrl, subjectPrefix: prefix, replicaId: "bench-leader" });
  await leader.connect();
  const replicas: Replica[] = [];
  try {
    for (let i = 0; i < replicaCount; i++)
      replicas.push(await startReplica(natsUrl, prefix, `replica-${i}`, Math.ceil(clients / replicaCount)));
    await pause(300);
    await Promise.all(replicas.map((r) => request(r.clients, { cmd: "reset" }, "reset")));
    await Promise.all(replicas.map((r) => request(r.server, { cmd: "cpu-start" }, "cpu-started")));
    await publishFor(leader, args.rate, args.seconds);
    await pause(200); // the last frames in flight
    const cpu = await Promise.all(
      replicas.map((r) => request<{ percent: number }>(r.server, { cmd: "cpu" }, "cpu")),
    );
    const reports = await Promise.all(
      replicas.map((r) =>
        request<{ received: number; p50: number; p99: number }>(r.clients, { cmd: "report" }, "report"),
      ),
    );
    const received = reports.reduce((n, r) => n + r.received, 0);
    const expected = Math.ceil(clients / replicaCount) * replicaCount * args.rate;
    return (
      `| ${replicaCount === 1 ? "1 replica (baseline)" : `${replicaCount} replicas`} over NATS | ${clients} | ` +
      `${f(received / args.seconds, 0)} (${expected}) | ${reports.map((r) => `${f(r.p50, 2)} / ${f(r.p99, 2)}`).join(" · ")} | ` +
      `${cpu.map((c) => f(c.percent)).join(" · ")} |`
    );
  } finally {
    await Promise.all(replicas.map(stopServerAndClients));
    await leader.close();
  }
}

export async function replicaRows(args: ReplicaBenchArgs): Promise<string[]> {
  const natsUrl = args.natsUrl ?? "nats://127.0.0.1:4222";
  const rows = [
    "| layout | clients | deliveries/s (expected) | publish→client p50 / p99 ms (per replica) | replica CPU % |",
    "|---|---:|---:|---:|---:|",
  ];
  for (const clients of args.clients) {
    for (const replicaCount of [1, 2]) {
      const row = await measure(replicaCount, clients, args, natsUrl);
      rows.push(row);
      console.log(row);
    }
  }
  return rows;
}
