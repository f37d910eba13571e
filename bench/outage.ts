// `npm run bench -- outage [--quick] [--outage=60] [--rates=25000,100000] [--fault=stop|freeze]
// [--trace] [--cost-only] [--no-cost]`:
// issue #15's database outage at a steady tick rate, through the real tick writer and spool against a
// private PostgreSQL cluster we stop (or freeze) on purpose. Per rate: ticks spooled, time to drain
// the backlog after recovery, peak RSS, commit throughput while the spool replays, and the live
// feed's receive→commit p50/p99/max during the replay (goal p99 < 1 s), apart from the backlog's own
// throughput (replayed from the spool, and held in memory). Then the spool's write cost against no
// spool (the in-memory buffer) at 100k ticks/s in the same run: CPU per tick and memory growth.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { nanosToRfc3339, type Trade } from "@torghut/contracts";
import { createDb } from "@torghut/db";
import { startPgCluster, type PgCluster } from "@torghut/testing";
import { FileSpool } from "../apps/server/src/spool/file-spool";
import { TickWriter } from "../apps/server/src/store/tick-writer";

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AVGO", "JPM", "V"];
const FEED_TICK_MS = 10;
const flag = (args: string[], name: string): string | undefined =>
  args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

let nextId = 0;
function trade(now: number): Trade {
  const id = nextId++;
  return {
    kind: "trade",
    symbol: SYMBOLS[id % SYMBOLS.length]!,
    eventTime: nanosToRfc3339(BigInt(now) * 1_000_000n + BigInt(id % 1_000_000)),
    receivedAt: now,
    source: "alpaca",
    delayed: false,
    price: 100 + (id % 1000) / 100,
    size: 1 + (id % 500),
    tradeId: String(id),
    exchange: "V",
    conditions: ["@"],
    tape: "C",
    suspicious: false,
  };
}

/** Enqueues `rate` ticks/s in slices every 10 ms, catching up after a late timer (as a burst would). */
class Feeder {
  sent = 0;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;

  constructor(
    private readonly writer: TickWriter,
    private readonly rate: number,
  ) {}

  start(): void {
    this.startedAt = performance.now();
    const base = this.sent;
    this.timer = setInterval(() => {
      const due = Math.floor(((performance.now() - this.startedAt) * this.rate) / 1000) + base;
      const now = Date.now();
      while (this.sent < due) {
        this.writer.enqueue(trade(now));
        this.sent++;
      }
    }, FEED_TICK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

/** Peak RSS, sampled every 100 ms. */
class RssPeak {
  peak = process.memoryUsage().rss;
  private readonly timer = setInterval(() => {
    this.peak = Math.max(this.peak, process.memoryUsage().rss);
  }, 100);
  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

function quantiles(values: number[]): { p50: number; p99: number; max: number } {
  if (values.length === 0) return { p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

/** Through psql, not the writer's pool: a writer with a backlog keeps every pooled connection busy. */
async function countTicks(cluster: PgCluster): Promise<number> {
  return Number((await cluster.psql("SELECT count(*) FROM ticks", "torghut")).trim());
}

async function fault(cluster: PgCluster, kind: string, on: boolean): Promise<void> {
  if (kind === "freeze") await (on ? cluster.freeze() : cluster.thaw());
  else await (on ? cluster.stop("fast") : cluster.start());
}

const logger = pino({ level: "silent" });
/** Production's statement and query deadlines (10 s / 12 s); connect fails fast on a stopped server. */
const DEADLINES = { connectTimeoutMs: 5000 };
/** A rate the database cannot keep up with never drains: report the backlog instead of waiting forever. */
const MAX_DRAIN_MS = 180_000;

/** One outage at `rate`: spooled, drain time, peak RSS, replay throughput, live p99 during replay. */
async function outageAtRate(
  cluster: PgCluster,
  rate: number,
  outageS: number,
  kind: string,
  trace: boolean,
): Promise<void> {
  const database = await createDb({ url: cluster.url("torghut"), deadlines: DEADLINES });
  await database.query("TRUNCATE ticks");
  const dir = mkdtempSync(join(tmpdir(), "torghut-outage-bench-"));
  const spool = new FileSpool({ dir, maxBytes: 64 * 1024 ** 3, fsync: "interval", fsyncIntervalMs: 1000 });
  let recoveredAt = Number.POSITIVE_INFINITY;
  let drainedAt = Number.POSITIVE_INFINITY;
  const liveLags: number[] = [];
  /** Ticks received after the writer's first commit since the database came back (it knows then). */
  const liveLagsAfterFirstCommit: number[] = [];
  let firstCommitAt = Number.POSITIVE_INFINITY;
  let committedDuringDrain = 0;
  let backlogDuringDrain = 0;
  const writer = new TickWriter(database, {
    logger,
    spool,
    spoolAfterMs: 1000,
    synchronousCommit: false,
    retryMaxMs: 1000,
    onCommit: (trades, committedAt) => {
      if (committedAt < recoveredAt || committedAt > drainedAt) return;
      committedDuringDrain += trades.length;
      firstCommitAt = Math.min(firstCommitAt, committedAt);
      // The live feed: ticks received after the database came back, committed while the spool replays.
      for (const t of trades) {
        if (t.receivedAt < recoveredAt) {
          backlogDuringDrain++;
          continue;
        }
        liveLags.push(committedAt - t.receivedAt);
        if (t.receivedAt >= firstCommitAt) liveLagsAfterFirstCommit.push(committedAt - t.receivedAt);
      }
    },
  });
  const feeder = new Feeder(writer, rate);
  const rss = new RssPeak();
  try {
    feeder.start();
    await sleep(3000);
    await fault(cluster, kind, true);
    const outageStarted = Date.now();
    await sleep(outageS * 1000);
    const spooledAtRecovery = writer.stats().spooled;
    const replayedAtRecovery = writer.stats().replayed;
    const queuedAtRecovery = writer.stats().queueDepth;
    await fault(cluster, kind, false);
    // From the moment the database accepts connections again (pg_ctl start can take seconds).
    recoveredAt = Date.now();
    const tracer = trace
      ? setInterval(() => {
          const st = writer.stats();
          console.log(
            `    t+${((Date.now() - recoveredAt) / 1000).toFixed(0)}s queue ${fmt(st.queueDepth)} spool ${mib(spool.bytes)} committed ${fmt(st.committed)} replayed ${fmt(st.replayed)} live lags ${fmt(liveLags.length)}`,
          );
        }, 1000)
      : null;
    // Drained: nothing left in the spool and the in-memory queue back to a normal flush's worth.
    while (
      (spool.peek() !== null || writer.stats().queueDepth > rate / 4) &&
      Date.now() - recoveredAt < MAX_DRAIN_MS
    )
      await sleep(50);
    drainedAt = Date.now();
    if (tracer) clearInterval(tracer);
    const backlog = spool.bytes > 0 || writer.stats().queueDepth > rate / 4;
    feeder.stop();
    if (!backlog) await writer.flush();
    const drainS = (drainedAt - recoveredAt) / 1000;
    const stored = await countTicks(cluster);
    const stats = writer.stats();
    const live = quantiles(liveLags);
    const known = quantiles(liveLagsAfterFirstCommit);
    const replayedDuringDrain = stats.replayed - replayedAtRecovery;
    console.log(
      `  ${fmt(rate)} ticks/s (${kind} ${outageS} s, started ${new Date(outageStarted).toISOString().slice(11, 19)}):` +
        ` spooled ${fmt(spooledAtRecovery)} (+${fmt(queuedAtRecovery)} in memory) at recovery;` +
        (backlog
          ? ` NOT drained after ${drainS.toFixed(0)} s (spool ${mib(spool.bytes)}, ${fmt(writer.stats().queueDepth)} in memory)`
          : ` drained in ${drainS.toFixed(1)} s`) +
        `; peak RSS ${mib(rss.stop())}`,
    );
    const perS = (n: number) => fmt(n / Math.max(drainS, 0.001));
    console.log(
      `    during the drain: ${perS(committedDuringDrain)} ticks/s committed = ${perS(liveLags.length)} live` +
        ` + ${perS(backlogDuringDrain)} backlog (${perS(replayedDuringDrain)} of it replayed from the spool)`,
    );
    console.log(
      `    live receive→commit during the drain: p50 ${fmt(live.p50)} ms · p99 ${fmt(live.p99)} ms · max ${fmt(live.max)} ms` +
        ` (${fmt(liveLags.length)} live ticks; goal p99 < 1,000 ms); load average ${load()}`,
    );
    console.log(
      `    the writer's first commit came ${fmt(firstCommitAt - recoveredAt)} ms after the database was back;` +
        ` ticks received after it: p50 ${fmt(known.p50)} ms · p99 ${fmt(known.p99)} ms · max ${fmt(known.max)} ms`,
    );
    console.log(
      `    fed ${fmt(feeder.sent)} · stored ${fmt(stored)} · lost ${fmt(stats.lost)} · dropped ${fmt(stats.dropped)}` +
        (backlog
          ? ` — the other ${fmt(feeder.sent - stored)} still queued or spooled (the writer cannot keep up)`
          : stored === feeder.sent
            ? " — nothing lost"
            : " — MISMATCH"),
    );
  } finally {
    feeder.stop();
    rss.stop();
    await writer.close({ timeoutMs: 10_000 });
    spool.close();
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU per tick and memory growth while the database is down, with the spool and without. */
async function spoolCost(cluster: PgCluster, rate: number, seconds: number, withSpool: boolean) {
  const database = await createDb({ url: cluster.url("torghut"), deadlines: DEADLINES });
  const dir = mkdtempSync(join(tmpdir(), "torghut-outage-cost-"));
  const spool = withSpool ? new FileSpool({ dir, maxBytes: 64 * 1024 ** 3 }) : null;
  const writer = new TickWriter(database, {
    logger,
    spool,
    spoolAfterMs: 1000,
    bufferMaxTicks: rate * (seconds + 5),
    retryMaxMs: 1000,
  });
  const feeder = new Feeder(writer, rate);
  await fault(cluster, "stop", true);
  try {
    feeder.start();
    await sleep(1500); // past spoolAfterMs: measure the steady state of each path
    const cpu0 = process.cpuUsage();
    const sent0 = feeder.sent;
    const heap0 = process.memoryUsage().heapUsed;
    await sleep(seconds * 1000);
    const cpu = process.cpuUsage(cpu0);
    const ticks = feeder.sent - sent0;
    const heapGrowth = process.memoryUsage().heapUsed - heap0;
    feeder.stop();
    return { cpuUsPerTick: (cpu.user + cpu.system) / ticks, achieved: ticks / seconds, heapGrowth };
  } finally {
    feeder.stop();
    await fault(cluster, "stop", false);
    await writer.close({ timeoutMs: 60_000 });
    spool?.close();
    await database.query("TRUNCATE ticks");
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function outageBench(args: string[]): Promise<void> {
  const quick = args.includes("--quick");
  const outageS = Number(flag(args, "outage") ?? (quick ? 8 : 60));
  const rates = (flag(args, "rates") ?? "25000,100000").split(",").map(Number);
  const kind = flag(args, "fault") ?? "stop";
  const costS = quick ? 4 : 15;
  const cluster = await startPgCluster({ settings: { max_connections: "50" } });
  try {
    await cluster.psql("CREATE DATABASE torghut");
    await (await createDb({ url: cluster.url("torghut") })).close();
    console.log(
      `outage bench: private PostgreSQL (fsync off), writer + spool (fsync per 1 s) in this process; load average ${load()}`,
    );
    if (!args.includes("--cost-only"))
      for (const rate of rates) await outageAtRate(cluster, rate, outageS, kind, args.includes("--trace"));

    if (args.includes("--no-cost")) return console.log(`load average at the end ${load()}`);
    const costRate = Math.max(...rates);
    const memory = await spoolCost(cluster, costRate, costS, false);
    const spooled = await spoolCost(cluster, costRate, costS, true);
    console.log(`  spool write cost at ${fmt(costRate)} ticks/s, database down ${costS} s (same run):`);
    for (const [name, r] of [
      ["no spool (in-memory buffer)", memory],
      ["spool (fsync per 1 s)", spooled],
    ] as const) {
      console.log(
        `    ${name.padEnd(28)} ${r.cpuUsPerTick.toFixed(2)} µs CPU/tick · fed ${fmt(r.achieved)} ticks/s · heap +${mib(r.heapGrowth)} over the window`,
      );
    }
    console.log(
      `    spool costs ${(spooled.cpuUsPerTick - memory.cpuUsPerTick).toFixed(2)} µs CPU/tick more (${((100 * spooled.cpuUsPerTick) / memory.cpuUsPerTick - 100).toFixed(0)} %)`,
    );
    console.log(`load average at the end ${load()}`);
  } finally {
    await cluster.destroy();
  }
}
