// `npm run bench -- bars-read [--days=N] [--requests=N]`: what one `/api/torghut/ta/bars` answer of 1m bars
// (1 day and 7 days) costs, and where the time goes: PostgreSQL's execution (EXPLAIN ANALYZE) and the pages
// it touches, the whole read in process (query, parse, JSON.stringify), the Node process's CPU, and the
// real HTTP request. Baselines in the same run, on a copy of the bars under the old primary key (no
// INCLUDE, so every bar is a heap page visit): the bars as rows through the driver (the first API), and
// the one-row JSON read with one sort per array (the API before the covering key). And the objects
// answer as it was built before PostgreSQL wrote its JSON text: the arrays parsed and turned into
// objects in Node, then JSON.stringify (in process, and over HTTP on a route of its own beside the real
// one). Bars: --days (365) of 1m bars for 30 symbols, written minute by minute for every symbol, as the
// live aggregator does.
import { createDb, createTestDatabase, seedSymbols, type Database } from "@torghut/db";
import pino from "pino";
import { systemClock } from "../apps/server/src/clock";
import { createHttpServer } from "../apps/server/src/http/server";
import { parseBarsQuery } from "../apps/server/src/http/ta/params";
import { registerTaRoutes } from "../apps/server/src/http/ta/routes";
import {
  jsonColumnsSql,
  jsonObjectsSql,
  type IntervalBar,
  type JsonColumns,
  queryIntervalBarColumns,
  queryIntervalBarsJson,
  symbolExists,
} from "../apps/server/src/store/bars/interval-bars";
import type { FastifyInstance } from "fastify";
import { rebuildRollups } from "../apps/server/src/store/bars/rollups";
import { FIRST_DAY_MS, GROWTH_SYMBOLS, fillBars } from "./lib/growth-data";

const DAY_MS = 86_400_000;

function arg(args: string[], name: string, fallback: string): string {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : fallback;
}

/** The baseline table: the same bars in the same heap order, under the primary key bars_1m had before 0006. */
const HEAP_TABLE = "bars_1m_heap";

const ROWS_SQL = `SELECT minute, open, high, low, close, volume, vwap, trade_count, source, delayed FROM ${HEAP_TABLE}
  WHERE symbol = $1 AND minute >= $2 AND minute < $3 ORDER BY minute LIMIT 10000`;

/** The objects read as it was before the covering key: each array sorted on its own, on the heap table. */
const SORTED_JSON_SQL = jsonColumnsSql("1m", true)
  .replace(/json_agg\((.*?)\)(?=( FILTER|, '\[\]'))/g, "json_agg($1 ORDER BY bucket)")
  .replace("FROM bars_1m", `FROM ${HEAP_TABLE}`);

const params = (symbol: string, fromMs: number, toMs: number) => [
  symbol,
  new Date(fromMs).toISOString(),
  new Date(toMs).toISOString(),
];

/** The first baseline: the bars as rows, mapped to the API's objects in JS. */
async function barsAsRows(database: Database, symbol: string, fromMs: number, toMs: number) {
  const result = await database.query<Record<string, unknown> & { minute: Date }>(
    ROWS_SQL,
    params(symbol, fromMs, toMs),
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

/** The objects form built in Node from the arrays, as queryIntervalBars did before jsonObjectsSql. */
function barsFromColumns(c: JsonColumns): IntervalBar[] {
  const bars: IntervalBar[] = new Array<IntervalBar>(c.time.length);
  let run = -1;
  for (let i = 0; i < bars.length; i++) {
    if (run + 1 < c.runStart.length && c.runStart[run + 1] === i) run++;
    bars[i] = {
      time: new Date(Math.round(c.time[i]! * 1000)).toISOString(),
      open: c.open[i]!,
      high: c.high[i]!,
      low: c.low[i]!,
      close: c.close[i]!,
      volume: c.volume[i]!,
      vwap: c.vwap![i]!,
      tradeCount: c.tradeCount![i]!,
      source: c.runSource[run]!,
      delayed: c.runDelayed[run]!,
    };
  }
  return bars;
}

const ARRAYS_SQL = jsonColumnsSql("1m", true);

/** The objects answer before: the arrays with vwap and trade count, turned into objects in Node. */
async function objectsFromArrays(database: Database, symbol: string, fromMs: number, toMs: number) {
  const result = await database.query<{ columns: string }>(ARRAYS_SQL, params(symbol, fromMs, toMs));
  return barsFromColumns(JSON.parse(result.rows[0]!.columns) as JsonColumns);
}

const BEFORE_ROUTE = "/bench/bars-objects-before";

/** The bars route's objects answer as it was before, beside the real one on the same server. */
function registerBeforeRoute(server: FastifyInstance, database: Database): void {
  server.get(BEFORE_ROUTE, async (request, reply) => {
    const { symbol, interval, fromMs, toMs } = parseBarsQuery(request.query, Date.now());
    if (!(await symbolExists(database, symbol))) return reply.code(404).send({ error: "unknown_symbol" });
    const head = { symbol, interval, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
    return { ...head, bars: await objectsFromArrays(database, symbol, fromMs, toMs) };
  });
}

/** The one-row JSON read with a sort per array, as the API's objects (built as queryIntervalBars did). */
async function sortedJson(database: Database, symbol: string, fromMs: number, toMs: number) {
  const result = await database.query<{ columns: string }>(SORTED_JSON_SQL, params(symbol, fromMs, toMs));
  return barsFromColumns(JSON.parse(result.rows[0]!.columns) as JsonColumns);
}

interface Reader {
  name: string;
  read(symbol: string, fromMs: number, toMs: number): Promise<unknown>;
  /** The SQL PostgreSQL runs for it, for EXPLAIN; none for the HTTP readers (the same SQL as above them). */
  sql?: string;
}

function readers(database: Database, base: string): Reader[] {
  const http =
    (format: string, path = "/api/torghut/ta/bars") =>
    async (symbol: string, fromMs: number, toMs: number) => {
      const url = `${base}${path}?symbol=${symbol}&interval=1m&from=${fromMs}&to=${toMs}${format}`;
      const response = await fetch(url);
      const text = await response.text();
      if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
      return text;
    };
  return [
    {
      name: "rows through the driver, old key (first baseline)",
      read: (s, f, t) => barsAsRows(database, s, f, t),
      sql: ROWS_SQL,
    },
    {
      name: "JSON row, a sort per array, old key (before the covering key)",
      read: (s, f, t) => sortedJson(database, s, f, t),
      sql: SORTED_JSON_SQL,
    },
    {
      name: "objects built in Node from the arrays, covering key (before)",
      read: (s, f, t) => objectsFromArrays(database, s, f, t),
      sql: ARRAYS_SQL,
    },
    {
      name: "objects as JSON text from PostgreSQL, covering key (after)",
      read: (s, f, t) => queryIntervalBarsJson(database, s, "1m", f, t),
      sql: jsonObjectsSql("1m"),
    },
    {
      name: "columns (chart), covering key",
      read: (s, f, t) => queryIntervalBarColumns(database, s, "1m", f, t),
      sql: jsonColumnsSql("1m", false),
    },
    { name: "objects over HTTP, built in Node (before)", read: http("", BEFORE_ROUTE) },
    { name: "objects over HTTP, text from PostgreSQL (after)", read: http("") },
    { name: "columns over HTTP", read: http("&format=columns") },
  ];
}

interface Samples {
  wall: number[];
  cpu: number[];
  pgMs: number[];
  pages: number[];
  bytes: number;
}

/** PostgreSQL's own execution time and the buffers (pages) the query touched, from EXPLAIN ANALYZE. */
async function explain(database: Database, sql: string, values: unknown[]): Promise<[number, number]> {
  const result = await database.query<{ "QUERY PLAN": unknown }>(
    `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) ${sql}`,
    values,
  );
  const raw = result.rows[0]!["QUERY PLAN"];
  const [plan] = (typeof raw === "string" ? JSON.parse(raw) : raw) as [
    { "Execution Time": number; Plan: { "Shared Hit Blocks": number; "Shared Read Blocks": number } },
  ];
  return [plan["Execution Time"], plan.Plan["Shared Hit Blocks"] + plan.Plan["Shared Read Blocks"]];
}

const pct = (samples: number[], p: number) =>
  samples.length === 0
    ? "–"
    : [...samples].sort((a, b) => a - b)[Math.floor((samples.length - 1) * p)]!.toFixed(1);
const both = (samples: number[]) => `${pct(samples, 0.5)} / ${pct(samples, 0.99)}`;

async function measureRange(database: Database, all: Reader[], range: number, requests: number) {
  const samples: Samples[] = all.map(() => ({ wall: [], cpu: [], pgMs: [], pages: [], bytes: 0 }));
  // Readers interleaved per request, so a change in the box's load hits all of them alike.
  for (let i = 0; i < requests + 20; i++) {
    const symbol = GROWTH_SYMBOLS[i % GROWTH_SYMBOLS.length]!;
    const toMs = FIRST_DAY_MS - ((i * 7919) % 60) * DAY_MS;
    for (const [r, reader] of all.entries()) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      const answer = await reader.read(symbol, toMs - range, toMs);
      const body = typeof answer === "string" ? answer : JSON.stringify(answer);
      const used = process.cpuUsage(cpu);
      const wall = performance.now() - started;
      if (i < 20) continue; // warm-up
      const s = samples[r]!;
      s.wall.push(wall);
      s.cpu.push((used.user + used.system) / 1000);
      s.bytes = body.length;
      if (reader.sql === undefined) continue;
      const [pgMs, pages] = await explain(database, reader.sql, params(symbol, toMs - range, toMs));
      s.pgMs.push(pgMs);
      s.pages.push(pages);
    }
  }
  return samples;
}

async function fillBaselineTable(database: Database): Promise<void> {
  await database.query(`CREATE TABLE ${HEAP_TABLE} (LIKE bars_1m INCLUDING DEFAULTS)`);
  // Same heap order as bars_1m (minute by minute, every symbol), so only the key differs.
  await database.query(`INSERT INTO ${HEAP_TABLE} SELECT * FROM bars_1m ORDER BY minute, symbol`);
  await database.query(`ALTER TABLE ${HEAP_TABLE} ADD PRIMARY KEY (symbol, minute)`);
}

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
  const server = createHttpServer({ logger: pino({ level: "silent" }) });
  registerTaRoutes(server, { database, clock: systemClock, livePrice: () => undefined });
  registerBeforeRoute(server, database);
  const base = await server.listen({ port: 0, host: "127.0.0.1" });
  try {
    await seedSymbols(database, GROWTH_SYMBOLS);
    const rows = await fillBars(database, days, GROWTH_SYMBOLS);
    await rebuildRollups(database);
    await fillBaselineTable(database);
    await database.query("VACUUM ANALYZE");
    console.log(
      `bars-read: ${rows.toLocaleString("en-US")} 1m bars, ${requests} requests per reader and range`,
    );
    console.log(
      "| range | reader | wall p50 / p99 ms | PostgreSQL exec p50 / p99 ms | pages p50 / p99 | Node CPU p50 / p99 ms | JSON bytes |",
    );
    console.log("|---|---|---:|---:|---:|---:|---:|");
    const all = readers(database, base);
    for (const [label, range] of [
      ["1 day", DAY_MS],
      ["7 days", 7 * DAY_MS],
    ] as const) {
      const samples = await measureRange(database, all, range, requests);
      for (const [r, { name }] of all.entries()) {
        const s = samples[r]!;
        console.log(
          `| ${label} | ${name} | ${both(s.wall)} | ${both(s.pgMs)} | ${both(s.pages)} | ${both(s.cpu)} | ${s.bytes.toLocaleString("en-US")} |`,
        );
      }
    }
  } finally {
    await server.close();
    await database.close();
    await scratch.drop();
  }
}
