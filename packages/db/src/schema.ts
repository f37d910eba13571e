import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  doublePrecision,
  index,
  integer,
  jsonb,
  type PgColumnBuilderBase,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/**
 * Table definitions only (no driver imports) so drizzle-kit can load this file on its own.
 * Prices and sizes are double precision: exact decimal arithmetic is not needed for charting and
 * `numeric` costs a good share of the bulk-insert throughput.
 */

export const symbols = pgTable("symbols", {
  symbol: text("symbol").primaryKey(),
  name: text("name").notNull(),
  assetClass: text("asset_class").notNull().default("STOCK"),
  active: boolean("active").notNull().default(true),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Every validated trade. `event_ns` keeps the source's full precision (a timestamptz keeps
 * microseconds only); `event_at` is the same instant for humans and SQL tools. `event_time` holds the
 * raw RFC-3339 string only when it is not the nine-digit UTC spelling of `event_ns` (an offset,
 * fewer digits): NULL means "rebuild it from event_ns", which saves ~30 bytes on nearly every row.
 * The primary key is the natural key of a print, so a retried batch inserts nothing twice, and it
 * leads with (symbol, event_ns) so it also serves "symbol between t0 and t1" and "latest per symbol".
 * No foreign key to `symbols`: the writer must never fail a whole batch because a symbol was
 * deactivated between validation and commit.
 *
 * Partitioned by RANGE (event_ns), one partition per America/New_York trading day plus a default
 * partition (drizzle/0003_partitioned_ticks.sql; drizzle-kit cannot express partitioning, so the
 * table is declared here as if it were plain). Partitions are created ahead and dropped by
 * retention in apps/server/src/store/maintenance.
 */
export const ticks = pgTable(
  "ticks",
  {
    // Fixed-width columns first, booleans together: less alignment padding in every row.
    eventNs: bigint("event_ns", { mode: "bigint" }).notNull(),
    eventAt: timestamp("event_at", { withTimezone: true, precision: 6 }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, precision: 3 }).notNull(),
    price: doublePrecision("price").notNull(),
    size: doublePrecision("size").notNull(),
    delayed: boolean("delayed").notNull(),
    suspicious: boolean("suspicious").notNull().default(false),
    symbol: text("symbol").notNull(),
    source: text("source").notNull(),
    tradeId: text("trade_id").notNull(),
    eventTime: text("event_time"),
    exchange: text("exchange"),
    tape: text("tape"),
    conditions: text("conditions")
      .array()
      .notNull()
      .default(sql`'{}'::text[]`),
  },
  (t) => [primaryKey({ name: "ticks_pkey", columns: [t.symbol, t.eventNs, t.source, t.tradeId] })],
);

const barTime = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * The columns every bar table shares, in their stored order: the price columns, and the tail
 * (`extra` goes between them: a rollup's `vwap_volume`). Fresh builders per table, as drizzle binds
 * each column to its table.
 */
function barColumns<Extra extends Record<string, PgColumnBuilderBase>>(extra: Extra) {
  return {
    open: doublePrecision("open").notNull(),
    high: doublePrecision("high").notNull(),
    low: doublePrecision("low").notNull(),
    close: doublePrecision("close").notNull(),
    volume: doublePrecision("volume").notNull(),
    vwap: doublePrecision("vwap"),
    ...extra,
    tradeCount: integer("trade_count").notNull(),
    source: text("source").notNull(),
    delayed: boolean("delayed").notNull(),
    updatedAt: barTime("updated_at").notNull().defaultNow(),
  };
}

/** One-minute OHLCV bars; `minute` is the start of the UTC minute. Suspicious trades never count. */
export const bars1m = pgTable(
  "bars_1m",
  { symbol: text("symbol").notNull(), minute: barTime("minute").notNull(), ...barColumns({}) },
  (t) => [primaryKey({ name: "bars_1m_pkey", columns: [t.symbol, t.minute] })],
);

/**
 * Rollups of bars_1m (apps/server/src/store/bars/rollups.ts), kept as 1m bars are written, so every
 * interval of the TA API reads stored rows. `bucket` is the bar's start: 5m and 1h are fixed-width
 * UTC buckets, 1d is the America/New_York calendar day. `vwap_volume` is the volume of the minutes
 * that had a VWAP, so a coarser rollup weighs each finer VWAP exactly. `source` is the least live
 * source among the minutes (yahoo, else backfill, else alpaca), `delayed` whether any was delayed:
 * a 1h bar holding one Yahoo minute says so.
 */
function rollupTable<Name extends string>(name: Name) {
  return pgTable(
    name,
    {
      symbol: text("symbol").notNull(),
      bucket: barTime("bucket").notNull(),
      ...barColumns({ vwapVolume: doublePrecision("vwap_volume").notNull() }),
    },
    (t) => [primaryKey({ name: `${name}_pkey`, columns: [t.symbol, t.bucket] })],
  );
}

export const bars5m = rollupTable("bars_5m");
export const bars1h = rollupTable("bars_1h");
export const bars1d = rollupTable("bars_1d");

/** Router transitions and operator actions (failover, reconnect), newest read first by /api/health. */
export const sourceEvents = pgTable(
  "source_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    fromState: text("from_state"),
    toState: text("to_state").notNull(),
    reason: text("reason").notNull(),
    actor: text("actor").notNull(),
  },
  (t) => [index("source_events_at_idx").on(t.at.desc())],
);

/**
 * Ticks that validation rejected, with the reason and the raw record, so nothing disappears silently
 * and a rule that misfires can be audited.
 */
export const validationRejections = pgTable(
  "validation_rejections",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    symbol: text("symbol"),
    source: text("source").notNull(),
    eventTime: text("event_time"),
    reason: text("reason").notNull(),
    payload: jsonb("payload").notNull(),
  },
  (t) => [index("validation_rejections_symbol_at_idx").on(t.symbol, t.at.desc())],
);

/**
 * Leases with fencing (apps/server/src/leader/lease-elector.ts): one row per leadership, e.g. the
 * single Alpaca connection. `expires_at` is on the database's clock, so replicas' clocks never
 * matter; `epoch` grows with every new term and is the fencing token.
 */
export const leaderLeases = pgTable("leader_leases", {
  name: text("name").primaryKey(),
  holder: text("holder").notNull(),
  epoch: bigint("epoch", { mode: "number" }).notNull(),
  acquiredAt: timestamp("acquired_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  renewedAt: timestamp("renewed_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  expiresAt: timestamp("expires_at", { withTimezone: true, precision: 3 }).notNull(),
});

/**
 * Each signed-in user's watchlist (apps/server/src/watchlists), keyed by the token's subject, so the
 * list follows the trader to any browser. The symbols are kept in the trader's order.
 */
export const userWatchlists = pgTable("user_watchlists", {
  subject: text("subject").primaryKey(),
  symbols: text("symbols").array().notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});
