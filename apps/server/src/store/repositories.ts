import { nanosToRfc3339, type RouterState, type SourceName, type Trade } from "@torghut/contracts";
import type { Database } from "@torghut/db";

/**
 * Small typed reads and writes over the store's tables (bars have their own home: store/bars/). Raw SQL through `Database.query` so that both
 * drivers behave the same; every column whose JS type differs between node-postgres and PGlite
 * (bigint, count) is cast in SQL.
 */

interface TickRow {
  symbol: string;
  /** NULL when the raw string is the nine-digit UTC spelling of event_ns (see the schema). */
  event_time: string | null;
  event_ns: string;
  received_ms: string;
  source: string;
  delayed: boolean;
  price: number;
  size: number;
  trade_id: string;
  exchange: string | null;
  conditions: string[];
  tape: string | null;
  suspicious: boolean;
}

const TICK_SELECT = `SELECT symbol, event_time, event_ns::text AS event_ns, (extract(epoch FROM received_at) * 1000)::bigint::text AS received_ms,
  source, delayed, price, size, trade_id, exchange, conditions, tape, suspicious FROM ticks`;

function toTrade(row: TickRow): Trade {
  return {
    kind: "trade",
    symbol: row.symbol,
    eventTime: row.event_time ?? nanosToRfc3339(BigInt(row.event_ns)),
    receivedAt: Number(row.received_ms),
    source: row.source as SourceName,
    delayed: row.delayed,
    price: row.price,
    size: row.size,
    tradeId: row.trade_id,
    exchange: row.exchange,
    conditions: row.conditions,
    tape: row.tape,
    suspicious: row.suspicious,
  };
}

/**
 * The newest stored trade of each symbol (by event time). One index probe per symbol on the
 * (symbol, event_ns, …) primary key, instead of scanning every tick with DISTINCT ON.
 */
export async function latestTicks(database: Database, symbols: readonly string[]): Promise<Trade[]> {
  if (symbols.length === 0) return [];
  const result = await database.query<TickRow>(
    `SELECT t.* FROM unnest($1::text[]) AS s(symbol)
     CROSS JOIN LATERAL (${TICK_SELECT} WHERE ticks.symbol = s.symbol ORDER BY event_ns DESC LIMIT 1) t`,
    [symbols],
  );
  return result.rows.map(toTrade);
}

/** Trades of one symbol with fromMs <= event time < toMs, in exchange time order. */
export async function queryTicks(
  database: Database,
  symbol: string,
  fromMs: number,
  toMs: number,
  limit = 10_000,
): Promise<Trade[]> {
  const result = await database.query<TickRow>(
    `${TICK_SELECT} WHERE symbol = $1 AND event_ns >= $2::bigint AND event_ns < $3::bigint
     ORDER BY event_ns, source, trade_id LIMIT $4`,
    [symbol, (BigInt(fromMs) * 1_000_000n).toString(), (BigInt(toMs) * 1_000_000n).toString(), limit],
  );
  return result.rows.map(toTrade);
}

export async function countTicks(database: Database, symbol?: string): Promise<number> {
  const result = await database.query<{ n: number }>(
    symbol === undefined
      ? `SELECT count(*)::int AS n FROM ticks`
      : `SELECT count(*)::int AS n FROM ticks WHERE symbol = $1`,
    symbol === undefined ? [] : [symbol],
  );
  return result.rows[0]?.n ?? 0;
}

export interface SourceEvent {
  id: number;
  at: string;
  fromState: RouterState | null;
  toState: RouterState;
  reason: string;
  /** "router" for automatic transitions, the JWT subject for operator actions. */
  actor: string;
}

export type NewSourceEvent = Omit<SourceEvent, "id" | "at"> & { at?: number };

/** A `source_events` row as selected (`id::text`, `at`, …): what the writer and the ops queries read back. */
export interface SourceEventRow {
  id: string;
  at: Date | string;
  from_state: string | null;
  to_state: string;
  reason: string;
  actor: string;
}

export function toSourceEvent(row: SourceEventRow): SourceEvent {
  return {
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    fromState: row.from_state as RouterState | null,
    toState: row.to_state as RouterState,
    reason: row.reason,
    actor: row.actor,
  };
}

export async function insertSourceEvent(database: Database, event: NewSourceEvent): Promise<SourceEvent> {
  const result = await database.query<SourceEventRow>(
    `INSERT INTO source_events (at, from_state, to_state, reason, actor)
     VALUES (coalesce($1::timestamptz, now()), $2, $3, $4, $5)
     RETURNING id::text, at, from_state, to_state, reason, actor`,
    [
      event.at === undefined ? null : new Date(event.at).toISOString(),
      event.fromState,
      event.toState,
      event.reason,
      event.actor,
    ],
  );
  return toSourceEvent(result.rows[0]!);
}

/** Newest first. */
export async function listSourceEvents(database: Database, limit = 50): Promise<SourceEvent[]> {
  const result = await database.query<SourceEventRow>(
    `SELECT id::text, at, from_state, to_state, reason, actor FROM source_events ORDER BY at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return result.rows.map(toSourceEvent);
}

export interface ValidationRejection {
  symbol: string | null;
  source: SourceName;
  eventTime: string | null;
  reason: string;
  /** The record as received, for audit. */
  payload: unknown;
  at?: number;
}

/** Keeps rejected ticks with their reason so that no tick disappears without a trace. */
export async function recordRejections(
  database: Database,
  rejections: readonly ValidationRejection[],
): Promise<void> {
  if (rejections.length === 0) return;
  const rows = rejections.map((r) => ({
    at: new Date(r.at ?? Date.now()).toISOString(),
    symbol: r.symbol,
    source: r.source,
    event_time: r.eventTime,
    reason: r.reason,
    payload: r.payload ?? null,
  }));
  await database.query(
    `INSERT INTO validation_rejections (at, symbol, source, event_time, reason, payload)
     SELECT r.at, r.symbol, r.source, r.event_time, r.reason, coalesce(r.payload, 'null'::jsonb)
     FROM json_to_recordset($1::json) AS r(at timestamptz, symbol text, source text, event_time text, reason text, payload jsonb)`,
    [JSON.stringify(rows)],
  );
}

export async function listRejections(
  database: Database,
  limit = 100,
): Promise<(Omit<ValidationRejection, "at"> & { at: string })[]> {
  const result = await database.query<{
    at: Date;
    symbol: string | null;
    source: string;
    event_time: string | null;
    reason: string;
    payload: unknown;
  }>(
    `SELECT at, symbol, source, event_time, reason, payload FROM validation_rejections ORDER BY at DESC, id DESC LIMIT $1`,
    [limit],
  );
  return result.rows.map((r) => ({
    at: new Date(r.at).toISOString(),
    symbol: r.symbol,
    source: r.source as SourceName,
    eventTime: r.event_time,
    reason: r.reason,
    payload: r.payload,
  }));
}
