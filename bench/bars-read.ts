// `npm run bench -- bars-read [--days=N] [--requests=N]`: what one `/api/torghut/ta/bars` answer costs the server
// (wall time and the Node process's CPU) for 1m bars over 1 day and 7 days, read as the TA API reads them
// (one row of JSON arrays, store/bars/interval-bars.ts) against the same-run baseline of reading them as rows
// through the driver (how the API read them before). Bars: --days (365) of 1m bars for 30 symbols.
import { createDb, createTestDatabase, seedSymbols, type Database } from "@torghut/db";
import { queryIntervalBarColumns, queryIntervalBars } from "../apps/server/src/store/bars/interval-bars";
import { rebuildRollups } from "../apps/server/src/store/bars/rollups";
import { FIRST_DAY_MS, GROWTH_SYMBOLS, fillBars } from "./lib/growth-data";

const DAY_MS = 86_400_000;

function arg(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

/** The baseline: the bars as rows, mapped to the API's objects in JS (bars-query before this bench). */
async function barsAsRows(database: Database, symbol: string, fromMs: number, toMs: number) {
  const result = await database.query<Record<string, unknown> & { minute: Date }>(
    `SELECT minute, open, high, low, close, volume, vwap, trade_count, source, delayed FROM bars_1m
      WHERE symbol = $1 AND minute >= $2 AND minute < $3 ORDER BY minute LIMIT 10000`,
    [symbol, new Date(fromMs).toISOString(), new Date(toMs).toISOString()],
  );
  return result.rows.map((r) => ({
    time: new Date(r.minute).toISOString(),
    open: r.open,
    high: r.high,
    low: r.low,
    close: r.close,
    volume: r.volume,
    vwap: r.vwap,
    tradeCount: r.trade_count,
    source: r.source,
    delayed: r.delayed,
  }));
}

type Reader = (database: Database, symbol: string, fromMs: number, toMs: number) => Promise<unknown>;
const READERS: [string, Reader][] = [
  ["rows through the driver (baseline)", barsAsRows],
  ["objects (API default)", (d, s, f, t) => queryIntervalBars(d, s, "1m", f, t)],
  ["columns (the chart's form)", (d, s, f, t) => queryIntervalBarColumns(d, s, "1m", f, t)],
];

const pct = (samples: number[], p: number) =>
  [...samples].sort((a, b) => a - b)[Math.floor((samples.length - 1) * p)]!.toFixed(1);

export default async function barsRead(args: string[]): Promise<void> {
  const days = Number(arg(args, "days", "365"));
  const requests = Number(arg(args, "requests", "300"));
  const scratch = await createTestDatabase(
    process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    "barsread",
  );
  const database = await createDb({
    url: scratch.url,
    poolMax: 4,
    deadlines: { statementTimeoutMs: 600_000, queryTimeoutMs: 610_000 },
  });
  try {
    await seedSymbols(database, GROWTH_SYMBOLS);
    const rows = await fillBars(database, days, GROWTH_SYMBOLS);
    await rebuildRollups(database);
    await database.query("VACUUM ANALYZE");
    console.log(
      `bars-read: ${rows.toLocaleString("en-US")} 1m bars, ${requests} requests per reader and range`,
    );
    console.log("| range | reader | wall p50 / p99 ms | Node CPU p50 / p99 ms | JSON bytes |");
    console.log("|---|---|---:|---:|---:|");
    for (const [label, range] of [
      ["1 day", DAY_MS],
      ["7 days", 7 * DAY_MS],
    ] as const) {
      const samples = READERS.map(() => ({ wall: [] as number[], cpu: [] as number[], bytes: 0 }));
      // Readers interleaved per request, so a change in the box's load hits all three alike.
      for (let i = 0; i < requests + 20; i++) {
        const symbol = GROWTH_SYMBOLS[i % GROWTH_SYMBOLS.length]!;
        const toMs = FIRST_DAY_MS - ((i * 7919) % 60) * DAY_MS;
        for (const [r, [, read]] of READERS.entries()) {
          const started = performance.now();
          const cpu = process.cpuUsage();
          const body = JSON.stringify(await read(database, symbol, toMs - range, toMs));
          const used = process.cpuUsage(cpu);
          if (i < 20) continue; // warm-up
          const s = samples[r]!;
          s.wall.push(performance.now() - started);
          s.cpu.push((used.user + used.system) / 1000);
          s.bytes = body.length;
        }
      }
      for (const [r, [name]] of READERS.entries()) {
        const s = samples[r]!;
        console.log(
          `| ${label} | ${name} | ${pct(s.wall, 0.5)} / ${pct(s.wall, 0.99)} | ${pct(s.cpu, 0.5)} / ${pct(s.cpu, 0.99)} | ${s.bytes.toLocaleString("en-US")} |`,
        );
      }
    }
  } finally {
    await database.close();
    await scratch.drop();
  }
}
