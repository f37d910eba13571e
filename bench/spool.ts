// `npm run bench -- spool [--rows=N] [--batch=N]`: the local spool (apps/server/src/spool) —
// append rate with fsync per segment vs per interval (and per record, the worst case), bytes per
// tick, read-back rate, and replay into PostgreSQL through the tick writer — against the same-run
// baseline: the same rows by raw binary COPY straight into `ticks` on the real PostgreSQL.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { setImmediate as turn } from "node:timers/promises";
import { nanosToRfc3339, type Trade } from "@torghut/contracts";
import { createDb, createTestDatabase, type Database } from "@torghut/db";
import { from as copyFrom } from "pg-copy-streams";
import { FileSpool } from "../apps/server/src/spool/file-spool";
import { TickWriter } from "../apps/server/src/store/tick-writer";
import { encodeBinary, TICK_COLUMNS } from "../apps/server/src/store/tick-binary";

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AVGO", "JPM", "V"];
const arg = (args: string[], name: string, fallback: number) =>
  Number(args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(" ");

function makeTrades(count: number): Trade[] {
  const start = 1_767_625_200_000_000_000n;
  return Array.from({ length: count }, (_, i) => ({
    kind: "trade" as const,
    symbol: SYMBOLS[i % SYMBOLS.length]!,
    eventTime: nanosToRfc3339(start + BigInt(i) * 1237n),
    receivedAt: 1_767_625_200_000 + i,
    source: "alpaca" as const,
    delayed: false,
    price: Math.round((100 + (i % 1000) / 100) * 100) / 100,
    size: 1 + (i % 500),
    tradeId: String(1_000_000 + i),
    exchange: "V",
    conditions: ["@", "I"],
    tape: "C",
    suspicious: false,
  }));
}

/** Appends every batch, yielding a turn between records as the writer does (so interval fsyncs can run). */
async function appendAll(spool: FileSpool, batches: Trade[][], everyRecord: boolean): Promise<number> {
  const started = performance.now();
  for (const batch of batches) {
    spool.append(batch);
    if (everyRecord) spool.sync();
    await turn();
  }
  spool.sync();
  return performance.now() - started;
}

async function rawCopy(database: Database, trades: Trade[]): Promise<number> {
  const client = await database.pool!.connect();
  const started = performance.now();
  try {
    const { buffer } = encodeBinary(trades);
    await pipeline(
      Readable.from([buffer]),
      client.query(copyFrom(`COPY ticks (${TICK_COLUMNS}) FROM STDIN (FORMAT binary)`)),
    );
  } finally {
    client.release();
  }
  return performance.now() - started;
}

async function count(database: Database): Promise<number> {
  return (await database.query<{ n: number }>("SELECT count(*)::int AS n FROM ticks")).rows[0]!.n;
}

export default async function spoolBench(args: string[]): Promise<void> {
  const rows = arg(args, "rows", 500_000);
  const batchRows = arg(args, "batch", 5_000);
  const trades = makeTrades(rows);
  const batches: Trade[][] = [];
  for (let i = 0; i < rows; i += batchRows) batches.push(trades.slice(i, i + batchRows));
  const root = mkdtempSync(join(tmpdir(), "torghut-spool-bench-"));
  const scratch = await createTestDatabase(
    process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    "torghut_i15b_bench",
  );
  const database = await createDb({ url: scratch.url });
  try {
    console.log(`spool bench: ${fmt(rows)} ticks in ${fmt(batches.length)} records; load average ${load()}`);
    await database.query("TRUNCATE ticks");
    const copyMs = await rawCopy(database, trades);
    const copyRate = (rows * 1000) / copyMs;
    console.log(
      `  baseline: raw binary COPY into ticks    ${fmt(copyRate)} ticks/s (${(copyMs / 1000).toFixed(2)} s)`,
    );

    // Warm-up (JIT, page cache) so the first mode measured is not penalised.
    const warm = new FileSpool({ dir: join(root, "warm-up"), maxBytes: 64 * 1024 ** 3 });
    await appendAll(warm, batches.slice(0, Math.ceil(batches.length / 2)), false);
    warm.close();
    rmSync(join(root, "warm-up"), { recursive: true, force: true });
    const modes = [
      ["fsync per segment (64 MiB)", { fsync: "segment" as const }, false],
      ["fsync per interval (1 s)", { fsync: "interval" as const, fsyncIntervalMs: 1000 }, false],
      ["fsync per record (worst case)", { fsync: "segment" as const }, true],
    ] as const;
    let bytesPerTick = 0;
    let appendRate = 0;
    let replayDir = "";
    for (const [name, options, everyRecord] of modes) {
      const dir = join(root, name.replace(/\W+/g, "-"));
      const spool = new FileSpool({ dir, maxBytes: 64 * 1024 ** 3, ...options });
      const ms = await appendAll(spool, batches, everyRecord);
      bytesPerTick = spool.bytes / rows;
      const rate = (rows * 1000) / ms;
      if (options.fsync === "interval") {
        appendRate = rate;
        replayDir = dir;
      }
      spool.close();
      console.log(
        `  append, ${name.padEnd(30)} ${fmt(rate)} ticks/s (${(ms / 1000).toFixed(2)} s, ${((100 * rate) / copyRate).toFixed(0)} % of COPY)`,
      );
    }
    console.log(`  disk per tick                          ${bytesPerTick.toFixed(1)} bytes`);

    const readStarted = performance.now();
    const reader = new FileSpool({ dir: join(root, "fsync-per-segment-64-MiB-") });
    let read = 0;
    // The longest single peek(): how long one read holds the event loop (the live feed shares it).
    let longestPeekMs = 0;
    for (;;) {
      const peekStarted = performance.now();
      const record = reader.peek();
      longestPeekMs = Math.max(longestPeekMs, performance.now() - peekStarted);
      if (!record) break;
      read += record.trades.length;
      reader.ack(record);
    }
    reader.close();
    const readMs = performance.now() - readStarted;
    console.log(`  read back (checksum + decode)          ${fmt((read * 1000) / readMs)} ticks/s`);
    console.log(`  longest single peek() (event loop held) ${longestPeekMs.toFixed(1)} ms`);

    await database.query("TRUNCATE ticks");
    const spool = new FileSpool({ dir: replayDir });
    const replayStarted = performance.now();
    const writer = new TickWriter(database, { spool, synchronousCommit: false });
    while (spool.peek() !== null) await new Promise((resolve) => setTimeout(resolve, 20));
    const replayMs = performance.now() - replayStarted;
    const stored = await count(database);
    await writer.close();
    spool.close();
    const replayRate = (rows * 1000) / replayMs;
    console.log(
      `  replay into PostgreSQL (writer)        ${fmt(replayRate)} ticks/s (${(replayMs / 1000).toFixed(2)} s, ${((100 * replayRate) / copyRate).toFixed(0)} % of COPY; stored ${fmt(stored)})`,
    );

    const outage = 25_000 * 600;
    console.log(`10-minute outage at 25k ticks/s = ${fmt(outage)} ticks:`);
    console.log(
      `  spool on disk   ${((outage * bytesPerTick) / 1024 ** 3).toFixed(2)} GiB (SPOOL_MAX_BYTES default 4 GiB)`,
    );
    console.log(
      `  append capacity ${(appendRate / 25_000).toFixed(1)}× the incoming rate (fsync per interval)`,
    );
    console.log(
      `  replay          ${(outage / replayRate / 60).toFixed(1)} min at the measured rate (live traffic on top)`,
    );
    console.log(`load average at the end ${load()}`);
  } finally {
    await database.close();
    await scratch.drop();
    rmSync(root, { recursive: true, force: true });
  }
}
