// `npm run bench -- store [--rows=N] [--rate=N] [--sample=N] [--method=auto|json|copy] [--concurrency=N] [--batch=N]
// [--sync-commit=on|off] [--skip-methods]`: the tick writer against the same rows sent by one INSERT per row and by
// raw COPY (text and binary), on a fresh database on the real PostgreSQL.
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { nanosToRfc3339, type Trade } from "@torghut/contracts";
import { createDb, createTestDatabase, type Database } from "@torghut/db";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { TickWriter, type TickWriterOptions } from "../apps/server/src/store/tick-writer";
import { encodeTicks, eventTimeColumns, insertEncodedTicks } from "../apps/server/src/store/tick-insert";
import { encodeBinary, HEADER_BYTES, TICK_COLUMNS as COLUMNS } from "../apps/server/src/store/tick-binary";

const SYMBOLS = ["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "AVGO", "JPM", "V"];

function arg(args: string[], name: string, fallback: number): number {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split("=")[1]) : fallback;
}

function makeTrades(count: number): Trade[] {
  const start = 1_767_625_200_000_000_000n; // 2026-01-05T15:00:00Z in ns
  const trades: Trade[] = new Array<Trade>(count);
  let price = 100;
  for (let i = 0; i < count; i++) {
    price = Math.max(1, price + (Math.random() - 0.5) * 0.1);
    trades[i] = {
      kind: "trade",
      symbol: SYMBOLS[i % SYMBOLS.length]!,
      eventTime: nanosToRfc3339(start + BigInt(i) * 1237n),
      receivedAt: 0,
      source: "alpaca",
      delayed: false,
      price: Math.round(price * 100) / 100,
      size: 1 + (i % 500),
      tradeId: String(1_000_000 + i),
      exchange: "V",
      conditions: ["@", "I"],
      tape: "C",
      suspicious: false,
    };
  }
  return trades;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))] ?? NaN;
}

const rate = (rows: number, ms: number) => Math.round((rows * 1000) / ms);
const fmt = (n: number) => n.toLocaleString("en-US");

async function truncate(database: Database): Promise<void> {
  await database.query("TRUNCATE ticks");
  await database.query("VACUUM ANALYZE ticks");
}

async function count(database: Database): Promise<number> {
  const r = await database.query<{ n: number }>("SELECT count(*)::int AS n FROM ticks");
  return r.rows[0]!.n;
}

/** Max-rate producer: keeps the writer's buffer fed (bounded at 200k) and measures until all is committed. */
async function writerBurst(
  database: Database,
  trades: Trade[],
  tuning: Partial<TickWriterOptions>,
): Promise<number> {
  const writer = new TickWriter(database, tuning);
  const started = performance.now();
  let i = 0;
  while (i < trades.length) {
    if (writer.stats().queueDepth >= 200_000) {
      // Sleep rather than spin: a busy producer would take the CPU the database needs.
      await new Promise((resolve) => setTimeout(resolve, 1));
      continue;
    }
    const now = Date.now();
    const end = Math.min(trades.length, i + 5000);
    for (; i < end; i++) {
      trades[i]!.receivedAt = now;
      writer.enqueue(trades[i]!);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  await writer.close();
  return performance.now() - started;
}

/** Paced producer at `perSecond`: the latency a live feed would see, receive→commit per tick. */
async function writerPaced(
  database: Database,
  trades: Trade[],
  perSecond: number,
  tuning: Partial<TickWriterOptions>,
) {
  const latencies = new Float64Array(trades.length);
  let recorded = 0;
  const writer = new TickWriter(database, {
    ...tuning,
    onCommit: (batch, committedAt) => {
      for (const t of batch) latencies[recorded++] = committedAt - t.receivedAt;
    },
  });
  const started = Date.now();
  let sent = 0;
  while (sent < trades.length) {
    const due = Math.min(trades.length, Math.floor(((Date.now() - started) * perSecond) / 1000));
    const now = Date.now();
    while (sent < due) {
      trades[sent]!.receivedAt = now;
      writer.enqueue(trades[sent++]!);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await writer.close();
  const elapsed = Date.now() - started;
  const sorted = latencies.subarray(0, recorded).sort();
  return {
    elapsed,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

const copyValue = (v: string | null) => (v === null ? "\\N" : v);

/** COPY text format for the same rows and values the writer sends, built straight from the trades. */
function copyText(trades: Trade[]): string {
  let text = "";
  for (const t of trades) {
    const time = eventTimeColumns(t.eventTime)!;
    text += `${t.symbol}\t${time.nanos}\t${t.source}\t${t.tradeId}\t${time.canonical ? "\\N" : t.eventTime}\t${time.at}\t${new Date(t.receivedAt).toISOString()}\t${t.price}\t${t.size}\t${t.delayed}\t${copyValue(t.exchange)}\t${copyValue(t.tape)}\t{${t.conditions.map((c) => `"${c}"`).join(",")}}\t${t.suspicious}\n`;
  }
  return text;
}

/** One COPY statement for all rows, encoded 10,000 at a time (client-side encoding included). */
async function rawCopy(database: Database, trades: Trade[], format: "text" | "binary"): Promise<number> {
  const client = await database.pool!.connect();
  const started = performance.now();
  try {
    const stream = client.query(
      copyFrom(`COPY ticks (${COLUMNS}) FROM STDIN${format === "binary" ? " (FORMAT binary)" : ""}`),
    );
    const chunkRows = 10_000;
    function* chunks() {
      for (let i = 0; i < trades.length; i += chunkRows) {
        const slice = trades.slice(i, i + chunkRows);
        if (format === "text") {
          yield copyText(slice);
          continue;
        }
        // One stream: the header only before the first chunk, the trailer only after the last.
        const { buffer } = encodeBinary(slice);
        const last = i + chunkRows >= trades.length;
        yield buffer.subarray(i === 0 ? 0 : HEADER_BYTES, last ? buffer.length : buffer.length - 2);
      }
    }
    await pipeline(Readable.from(chunks()), stream);
  } finally {
    client.release();
  }
  return performance.now() - started;
}

async function singleInserts(database: Database, trades: Trade[]): Promise<number> {
  const started = performance.now();
  for (const trade of trades) await insertEncodedTicks(database, encodeTicks([trade]));
  return performance.now() - started;
}

/** The bulk statements considered for the writer, each sent as sequential 5,000-row batches. */
async function methodComparison(database: Database, trades: Trade[]) {
  const batches: Trade[][] = [];
  for (let i = 0; i < trades.length; i += 5000) batches.push(trades.slice(i, i + 5000));
  const results: Record<string, number> = {};

  await truncate(database);
  let started = performance.now();
  for (const batch of batches) await insertEncodedTicks(database, encodeTicks(batch));
  results["json_to_recordset"] = rate(trades.length, performance.now() - started);

  await truncate(database);
  started = performance.now();
  for (const batch of batches) {
    const times = batch.map((t) => eventTimeColumns(t.eventTime)!);
    const col = <T>(pick: (t: Trade) => T) => batch.map(pick);
    await database.query(
      `INSERT INTO ticks (${COLUMNS})
       SELECT s, n, src, id, t, at, to_timestamp(rcv / 1000.0), p, q, d, x, z, ARRAY(SELECT json_array_elements_text(c)), sus
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::bigint[], $8::float8[],
                   $9::float8[], $10::bool[], $11::text[], $12::text[], $13::json[], $14::bool[])
            AS u(s, n, src, id, t, at, rcv, p, q, d, x, z, c, sus)
       ON CONFLICT DO NOTHING`,
      [
        col((t) => t.symbol),
        times.map((x) => x.nanos),
        col((t) => t.source),
        col((t) => t.tradeId),
        batch.map((t, i) => (times[i]!.canonical ? null : t.eventTime)),
        times.map((x) => x.at),
        col((t) => t.receivedAt),
        col((t) => t.price),
        col((t) => t.size),
        col((t) => t.delayed),
        col((t) => t.exchange),
        col((t) => t.tape),
        col((t) => JSON.stringify(t.conditions)),
        col((t) => t.suspicious),
      ],
    );
  }
  results["unnest"] = rate(trades.length, performance.now() - started);

  await truncate(database);
  const client = await database.pool!.connect();
  started = performance.now();
  try {
    await client.query(`CREATE TEMP TABLE stage (LIKE ticks INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    for (const batch of batches) {
      const text = copyText(batch);
      await client.query("BEGIN");
      await pipeline(Readable.from([text]), client.query(copyFrom(`COPY stage (${COLUMNS}) FROM STDIN`)));
      await client.query(`INSERT INTO ticks SELECT * FROM stage ON CONFLICT DO NOTHING`);
      await client.query("COMMIT");
    }
  } finally {
    await client.query("DROP TABLE IF EXISTS stage").catch(() => undefined);
    client.release();
  }
  results["COPY to temp + INSERT … ON CONFLICT"] = rate(trades.length, performance.now() - started);

  // The writer's paths: binary COPY straight into ticks, and its fallback through a temp table.
  await truncate(database);
  started = performance.now();
  await withClient(database, async (c) => {
    for (const batch of batches)
      await pipeline(
        Readable.from([encodeBinary(batch).buffer]),
        c.query(copyFrom(`COPY ticks (${COLUMNS}) FROM STDIN (FORMAT binary)`)),
      );
  });
  results["binary COPY straight into ticks"] = rate(trades.length, performance.now() - started);

  await truncate(database);
  started = performance.now();
  await withClient(database, async (c) => {
    await c.query(`CREATE TEMP TABLE bstage (LIKE ticks INCLUDING DEFAULTS) ON COMMIT DELETE ROWS`);
    for (const batch of batches) {
      await c.query("BEGIN");
      await pipeline(
        Readable.from([encodeBinary(batch).buffer]),
        c.query(copyFrom(`COPY bstage (${COLUMNS}) FROM STDIN (FORMAT binary)`)),
      );
      await c.query(`INSERT INTO ticks SELECT * FROM bstage ON CONFLICT DO NOTHING`);
      await c.query("COMMIT");
    }
    await c.query("DROP TABLE bstage");
  });
  results["binary COPY to temp + INSERT … ON CONFLICT"] = rate(trades.length, performance.now() - started);
  return results;
}

async function withClient(database: Database, fn: (client: PoolClient) => Promise<void>) {
  const client = await database.pool!.connect();
  try {
    await fn(client);
  } finally {
    client.release();
  }
}

export default async function storeBench(args: string[]): Promise<void> {
  const rows = arg(args, "rows", 1_000_000);
  const perSecond = arg(args, "rate", 100_000);
  const sample = Math.min(rows, arg(args, "sample", 10_000));
  const method = (args.find((a) => a.startsWith("--method="))?.slice(9) ??
    "auto") as TickWriterOptions["method"];
  const tuning: Partial<TickWriterOptions> = {
    concurrency: arg(args, "concurrency", 2),
    batchRows: arg(args, "batch", 5000),
    method,
    synchronousCommit: !args.includes("--sync-commit=off"),
  };
  const skipMethods = args.includes("--skip-methods");
  const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const scratch = await createTestDatabase(serverUrl, "torghut_bench");
  const database = await createDb({ url: scratch.url });
  try {
    console.log(
      `store bench: ${fmt(rows)} ticks, PostgreSQL ${(await database.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v}`,
    );
    const trades = makeTrades(rows);

    if (!skipMethods) {
      const methods = await methodComparison(database, trades.slice(0, Math.min(rows, 200_000)));
      console.log("bulk statements, sequential 5,000-row batches (rows/s):");
      for (const [name, value] of Object.entries(methods)) console.log(`  ${name.padEnd(40)} ${fmt(value)}`);
    }
    console.log(
      `writer: ${new TickWriter(database, tuning).method} method, ${tuning.batchRows} rows per batch, ${tuning.concurrency} in flight, synchronous_commit ${tuning.synchronousCommit ? "on" : "off"}`,
    );

    await truncate(database);
    const burstMs = await writerBurst(database, trades, tuning);
    const burstCount = await count(database);
    const writerRate = rate(rows, burstMs);

    // The same burst with the other synchronous_commit setting (PostgreSQL copy path only).
    await truncate(database);
    const otherSync = !tuning.synchronousCommit;
    const otherMs = await writerBurst(database, trades, { ...tuning, synchronousCommit: otherSync });
    const otherCount = await count(database);

    await truncate(database);
    const paced = await writerPaced(database, trades, perSecond, tuning);
    const pacedCount = await count(database);

    // The same writer at half the capacity just measured: its own latency when the database keeps up.
    await truncate(database);
    const relaxedRate = Math.max(1000, Math.floor(writerRate / 2));
    const relaxed = await writerPaced(
      database,
      trades.slice(0, Math.min(rows, relaxedRate * 10)),
      relaxedRate,
      tuning,
    );

    await truncate(database);
    const copyMs = await rawCopy(database, trades, "text");
    const copyRate = rate(rows, copyMs);

    await truncate(database);
    const binaryMs = await rawCopy(database, trades, "binary");
    const binaryRate = rate(rows, binaryMs);
    const binaryCount = await count(database);

    // Binary again with every raw event time kept as text (the same instants spelled "+00:00"):
    // what storing event_time only when event_ns cannot spell it back saves. The timing includes
    // parsing that spelling, which takes the general (BigInt) parser: an upper bound on the saving.
    await truncate(database);
    const spelled = trades.map((t) => ({ ...t, eventTime: t.eventTime.replace("Z", "+00:00") }));
    const spelledMs = await rawCopy(database, spelled, "binary");
    const spelledRate = rate(rows, spelledMs);

    await truncate(database);
    const singleMs = await singleInserts(database, trades.slice(0, sample));
    const singleRate = rate(sample, singleMs);

    console.log(
      `\nTickWriter, max rate           ${fmt(writerRate)} rows/s  (${fmt(rows)} rows in ${(burstMs / 1000).toFixed(2)} s; stored ${fmt(burstCount)})`,
    );
    console.log(
      `TickWriter, synchronous_commit ${otherSync ? "on " : "off"} ${fmt(rate(rows, otherMs))} rows/s  (stored ${fmt(otherCount)})`,
    );
    console.log(`raw text COPY (baseline)       ${fmt(copyRate)} rows/s  (${(copyMs / 1000).toFixed(2)} s)`);
    console.log(
      `raw binary COPY (baseline)     ${fmt(binaryRate)} rows/s  (${(binaryMs / 1000).toFixed(2)} s; stored ${fmt(binaryCount)})`,
    );
    console.log(
      `raw binary COPY, event_time on every row (incl. its slower parse) ${fmt(spelledRate)} rows/s  (${(spelledMs / 1000).toFixed(2)} s)`,
    );
    console.log(
      `one INSERT per row (baseline)  ${fmt(singleRate)} rows/s  (${fmt(sample)}-row sample, ${(singleMs / 1000).toFixed(2)} s)`,
    );
    console.log(`writer / text COPY             ${((100 * writerRate) / copyRate).toFixed(1)} %`);
    console.log(`writer / binary COPY           ${((100 * writerRate) / binaryRate).toFixed(1)} %`);
    console.log(`writer / single INSERT         ${(writerRate / singleRate).toFixed(1)} x`);
    console.log(
      `TickWriter paced at ${fmt(perSecond)}/s: receive→commit p50 ${paced.p50} ms, p99 ${paced.p99} ms, max ${paced.max} ms (stored ${fmt(pacedCount)} in ${(paced.elapsed / 1000).toFixed(1)} s)`,
    );
    console.log(
      `TickWriter paced at ${fmt(relaxedRate)}/s (half capacity): receive→commit p50 ${relaxed.p50} ms, p99 ${relaxed.p99} ms, max ${relaxed.max} ms`,
    );
    const ok =
      writerRate >= 100_000 &&
      writerRate >= 0.4 * binaryRate &&
      paced.p99 < 250 &&
      burstCount === rows &&
      pacedCount === rows;
    console.log(
      `goals (≥100k/s, ≥40 % of binary COPY, p99 < 250 ms, every row stored): ${ok ? "met" : "NOT met"}`,
    );
  } finally {
    await database.close();
    await scratch.drop();
  }
}
