// `npm run bench -- ingest [--rates 10000,25000,50000,100000] [--seconds 6] [--sink db|null] [--sync-commit off|on]` (default off, as the server's WRITER_SYNCHRONOUS_COMMIT)
// Simulator (child process) at rising trade rates → Alpaca client → validation → TickWriter → PostgreSQL
// (PGlite when PostgreSQL is unreachable). Baselines in the same run: the in-process hot path
// (parse → validate → enqueue, no socket), the publishing half (parse → validate → bus → hub, no
// clients) against the same without bus and hub, and a zod-per-tick parse of the same frames.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DEFAULT_SYMBOLS, type Trade } from "@torghut/contracts";
import { createDb, createTestDatabase, type Database } from "@torghut/db";
import { IngestPipeline } from "../apps/server/src/pipeline/ingest-pipeline";
import { FrameParser } from "../apps/server/src/sources/alpaca/frame-parser";
import { staticCredentials } from "../apps/server/src/sources/alpaca/credentials";
import { AlpacaStreamSource } from "../apps/server/src/sources/alpaca/stream-client";
import { TickWriter } from "../apps/server/src/store/tick-writer";
import { TradeValidator } from "../apps/server/src/validation/trade-validator";
import { z } from "zod";
import { freePort } from "./lib/processes";
import { measurePublishPath } from "./lib/publish-path";

const SIM_CLI = fileURLToPath(new URL("../apps/market-sim/src/cli.ts", import.meta.url));

function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

async function openDatabase(): Promise<{ database: Database; label: string; drop: () => Promise<void> }> {
  try {
    const test = await createTestDatabase(
      process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
      "torghut_bench",
    );
    const database = await createDb({ url: test.url });
    return { database, label: "PostgreSQL 127.0.0.1", drop: () => test.drop() };
  } catch {
    return {
      database: await createDb({ inMemory: true }),
      label: "PGlite (in memory)",
      drop: async () => {},
    };
  }
}

const quantile = (values: number[], q: number) => {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
};

/** Frames shaped like the stream's: 1,000 trades per batch across 30 symbols. */
function syntheticFrames(frames: number): string[] {
  const symbols = Array.from({ length: 30 }, (_, i) => `S${String.fromCharCode(65 + (i % 26))}${i}`);
  const out: string[] = [];
  let id = 0;
  const now = Date.now();
  for (let f = 0; f < frames; f++) {
    const items: string[] = [];
    for (let k = 0; k < 1000; k++) {
      const t = new Date(now + id).toISOString().replace("Z", "123456Z");
      items.push(
        `{"T":"t","S":"${symbols[id % 30]}","i":${id},"x":"V","p":${(100 + (id % 50) / 100).toFixed(2)},"s":${1 + (id % 300)},"c":["@"],"z":"C","t":"${t}"}`,
      );
      id++;
    }
    out.push(`[${items.join(",")}]`);
  }
  return out;
}

const zodTrade = z.looseObject({
  T: z.literal("t"),
  S: z.string(),
  i: z.number(),
  x: z.string(),
  p: z.number(),
  s: z.number(),
  c: z.array(z.string()),
  z: z.string(),
  t: z.string(),
});

async function baselines(database: Database, synchronousCommit: boolean): Promise<void> {
  const frames = syntheticFrames(200); // 200k trades
  const ticks = frames.length * 1000;
  let parsed = 0;
  const parser = new FrameParser(
    {
      trade: () => parsed++,
      quote: () => undefined,
      bar: () => undefined,
      control: () => undefined,
      notice: () => undefined,
    },
    { delayed: false },
  );
  const zodOnce = () => {
    let ok = 0;
    for (const frame of frames)
      for (const item of JSON.parse(frame) as unknown[]) if (zodTrade.safeParse(item).success) ok++;
    return ok;
  };
  for (const frame of frames) parser.parse(frame, Date.now()); // warm-up (JIT) for both
  zodOnce();
  parsed = 0;
  let start = performance.now();
  for (const frame of frames) parser.parse(frame, Date.now());
  const handMs = performance.now() - start;
  start = performance.now();
  const zodParsed = zodOnce();
  const zodMs = performance.now() - start;
  console.log(
    `baseline parse: hand-written ${Math.round(ticks / (handMs / 1000)).toLocaleString()} ticks/s, zod per tick ${Math.round(zodParsed / (zodMs / 1000)).toLocaleString()} ticks/s (${parsed} / ${zodParsed})`,
  );

  // The same commit setting as the end-to-end run it is printed beside.
  const writer = new TickWriter(database, { synchronousCommit });
  const pipeline = new IngestPipeline({ validator: new TradeValidator(), writer });
  const sink = new FrameParser(
    {
      trade: (trade: Trade) => pipeline.handle({ type: "trade", trade }),
      quote: () => undefined,
      bar: () => undefined,
      control: () => undefined,
      notice: () => undefined,
    },
    { delayed: false },
  );
  start = performance.now();
  for (const frame of frames) sink.parse(frame, Date.now());
  const pathMs = performance.now() - start;
  await writer.flush();
  const storeMs = performance.now() - start;
  console.log(
    `baseline in-process: parse→validate→enqueue ${Math.round(ticks / (pathMs / 1000)).toLocaleString()} ticks/s; ` +
      `to committed ${Math.round(ticks / (storeMs / 1000)).toLocaleString()} ticks/s`,
  );
  await writer.close();
  await database.query("TRUNCATE ticks");
  console.log(await measurePublishPath(frames, ticks));
}

export default async function ingest(args: string[]): Promise<void> {
  const rates = arg(args, "rates", "10000,25000,50000,75000,100000,150000").split(",").map(Number);
  const seconds = Number(arg(args, "seconds", "6"));
  const { database, label, drop } = await openDatabase();
  console.log(
    `ingest bench: sink ${arg(args, "sink", "db")}, database ${label}, synchronous_commit ${arg(args, "sync-commit", "off")}, ${seconds} s per step, trades only (quotes/bars not subscribed)`,
  );
  await baselines(database, arg(args, "sync-commit", "off") !== "off");

  const port = await freePort();
  const sim = spawn(
    process.execPath,
    ["--import", "tsx", SIM_CLI, "--port", String(port), "--rate", String(rates[0])],
    { stdio: "ignore" },
  );
  const base = `http://127.0.0.1:${port}`;
  const control = async (path: string, body?: unknown) => {
    const response = await fetch(
      `${base}${path}`,
      body === undefined
        ? {}
        : { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } },
    );
    return (await response.json()) as { errorsSent: Record<string, number> };
  };
  for (let i = 0; ; i++) {
    try {
      await control("/control/counters");
      break;
    } catch {
      if (i > 200) throw new Error("simulator did not start");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  let lags: number[] = [];
  const realWriter = new TickWriter(database, {
    synchronousCommit: arg(args, "sync-commit", "off") !== "off",
    onCommit: (trades, committedAt) => {
      for (const t of trades) lags.push(committedAt - t.receivedAt);
    },
  });
  // `--sink null`: measure the client + validation alone (the writer commits instantly, nothing stored).
  let nullCommitted = 0;
  const nullWriter = {
    enqueue: (t: Trade) => {
      nullCommitted++;
      lags.push(Date.now() - t.receivedAt);
    },
    stats: () => ({ committed: nullCommitted, queueDepth: 0 }),
    close: () => Promise.resolve(),
  };
  const writer = arg(args, "sink", "db") === "null" ? nullWriter : realWriter;
  const pipeline = new IngestPipeline({
    validator: new TradeValidator({ futureToleranceSeconds: 300 }),
    writer,
  });
  const source = new AlpacaStreamSource({
    streamUrl: `ws://127.0.0.1:${port}`,
    feed: "iex",
    credentials: staticCredentials({ keyId: "sim-key", secretKey: "sim-secret" }),
    symbols: DEFAULT_SYMBOLS.map((s) => s.symbol), // the simulator's rate is spread over these 30
    channels: { trades: true, quotes: false, bars: false },
    messageTimeoutMs: 0,
  });
  let failures = 0;
  source.onEvent((e) => void (e.type === "failure" && failures++));
  pipeline.attach(source);
  await source.start();
  while (!source.health().healthy) await new Promise((resolve) => setTimeout(resolve, 20));

  let best = 0;
  console.log("rate/s  received/s  committed/s  p50 ms  p99 ms  queue(end)  CPU%  407s  failures");
  for (const rate of rates) {
    await control("/control/rate", { tradesPerSecond: rate });
    await new Promise((resolve) => setTimeout(resolve, 1000)); // settle at the new rate
    const before = {
      trades: pipeline.stats().trades,
      committed: writer.stats().committed,
      e407: (await control("/control/counters")).errorsSent["407"] ?? 0,
      failures,
    };
    const depthStart = writer.stats().queueDepth;
    lags = [];
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const wall = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu);
    const received = (pipeline.stats().trades - before.trades) / wall;
    const committed = (writer.stats().committed - before.committed) / wall;
    const depthEnd = writer.stats().queueDepth;
    const e407 = ((await control("/control/counters")).errorsSent["407"] ?? 0) - before.e407;
    const cpuPct = ((used.user + used.system) / 1e6 / wall) * 100;
    const fails = failures - before.failures;
    console.log(
      [
        rate,
        Math.round(received),
        Math.round(committed),
        quantile(lags, 0.5).toFixed(0),
        quantile(lags, 0.99).toFixed(0),
        depthEnd,
        cpuPct.toFixed(0),
        e407,
        fails,
      ].join("  "),
    );
    const sustained =
      received >= rate * 0.95 &&
      committed >= rate * 0.9 &&
      e407 === 0 &&
      fails === 0 &&
      depthEnd <= Math.max(20_000, depthStart + rate * 0.5);
    if (sustained) best = rate;
    else if (rate > best) break;
  }
  console.log(`highest sustained: ${best.toLocaleString()} ticks/s end to end (goal 100,000)`);
  await source.stop();
  await writer.close();
  if (writer !== realWriter) await realWriter.close();
  sim.kill("SIGTERM");
  await database.close();
  await drop();
}
