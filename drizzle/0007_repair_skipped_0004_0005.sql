-- Repairs databases on which drizzle skipped 0004 and 0005. drizzle's migrator (drizzle-orm 0.45,
-- pg-core/dialect.js PgDialect.migrate, the PGlite and node-postgres migrators alike) reads the largest
-- `created_at` in drizzle.__drizzle_migrations once, then applies each journal entry whose `when` is
-- later and no other. 0004 and 0005 are timed before 0003, so a database that ran 0003 before they
-- existed never gets them: no rollup tables (every bar write then fails refreshing them) and no saved
-- watchlists. Re-timing them in the journal cannot fix it: where 0006 ran already they would still be
-- skipped, and where 0003 was the last one applied after them they would run a second time (0004's
-- CREATE TABLE fails there). So this migration, timed after every other one, creates what they create
-- where it is missing (the same columns, defaults and keys), and backfills a rollup table it creates
-- from the table below it, with 0004's statements.
-- Where 0004 and 0005 did run (every database migrated in one go) it changes nothing.
DO $$
BEGIN
  IF to_regclass('bars_5m') IS NULL THEN
    CREATE TABLE "bars_5m" (
      "symbol" text NOT NULL,
      "bucket" timestamp (3) with time zone NOT NULL,
      "open" double precision NOT NULL,
      "high" double precision NOT NULL,
      "low" double precision NOT NULL,
      "close" double precision NOT NULL,
      "volume" double precision NOT NULL,
      "vwap" double precision,
      "vwap_volume" double precision NOT NULL,
      "trade_count" integer NOT NULL,
      "source" text NOT NULL,
      "delayed" boolean NOT NULL,
      "updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
      CONSTRAINT "bars_5m_pkey" PRIMARY KEY("symbol","bucket")
    );
    INSERT INTO bars_5m (symbol, bucket, open, high, low, close, volume, vwap, vwap_volume, trade_count, source, delayed, updated_at)
    SELECT f.symbol, date_bin('5 minutes', f.minute, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket, (array_agg(f.open ORDER BY f.minute))[1] AS open,
              max(f.high) AS high,
              min(f.low) AS low,
              (array_agg(f.close ORDER BY f.minute DESC))[1] AS close,
              sum(f.volume)::float8 AS volume,
              (sum(f.vwap * f.volume) FILTER (WHERE f.vwap IS NOT NULL) / nullif(sum(f.volume) FILTER (WHERE f.vwap IS NOT NULL), 0))::float8 AS vwap,
              coalesce(sum(f.volume) FILTER (WHERE f.vwap IS NOT NULL), 0)::float8 AS vwap_volume,
              sum(f.trade_count)::int AS trade_count,
              CASE WHEN bool_or(f.source = 'yahoo') THEN 'yahoo' WHEN bool_or(f.source = 'backfill') THEN 'backfill'
                   ELSE min(f.source) END AS source,
              bool_or(f.delayed) AS delayed, now()
      FROM bars_1m AS f
     GROUP BY 1, 2;
  END IF;
  IF to_regclass('bars_1h') IS NULL THEN
    CREATE TABLE "bars_1h" (LIKE "bars_5m" INCLUDING ALL);
    INSERT INTO bars_1h (symbol, bucket, open, high, low, close, volume, vwap, vwap_volume, trade_count, source, delayed, updated_at)
    SELECT f.symbol, date_bin('1 hour', f.bucket, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket, (array_agg(f.open ORDER BY f.bucket))[1] AS open,
              max(f.high) AS high,
              min(f.low) AS low,
              (array_agg(f.close ORDER BY f.bucket DESC))[1] AS close,
              sum(f.volume)::float8 AS volume,
              (sum(f.vwap * f.vwap_volume) FILTER (WHERE f.vwap IS NOT NULL) / nullif(sum(f.vwap_volume) FILTER (WHERE f.vwap IS NOT NULL), 0))::float8 AS vwap,
              coalesce(sum(f.vwap_volume) FILTER (WHERE f.vwap IS NOT NULL), 0)::float8 AS vwap_volume,
              sum(f.trade_count)::int AS trade_count,
              CASE WHEN bool_or(f.source = 'yahoo') THEN 'yahoo' WHEN bool_or(f.source = 'backfill') THEN 'backfill'
                   ELSE min(f.source) END AS source,
              bool_or(f.delayed) AS delayed, now()
      FROM bars_5m AS f
     GROUP BY 1, 2;
  END IF;
  IF to_regclass('bars_1d') IS NULL THEN
    CREATE TABLE "bars_1d" (LIKE "bars_5m" INCLUDING ALL);
    INSERT INTO bars_1d (symbol, bucket, open, high, low, close, volume, vwap, vwap_volume, trade_count, source, delayed, updated_at)
    SELECT f.symbol, (date_trunc('day', f.bucket AT TIME ZONE 'America/New_York') AT TIME ZONE 'America/New_York') AS bucket, (array_agg(f.open ORDER BY f.bucket))[1] AS open,
              max(f.high) AS high,
              min(f.low) AS low,
              (array_agg(f.close ORDER BY f.bucket DESC))[1] AS close,
              sum(f.volume)::float8 AS volume,
              (sum(f.vwap * f.vwap_volume) FILTER (WHERE f.vwap IS NOT NULL) / nullif(sum(f.vwap_volume) FILTER (WHERE f.vwap IS NOT NULL), 0))::float8 AS vwap,
              coalesce(sum(f.vwap_volume) FILTER (WHERE f.vwap IS NOT NULL), 0)::float8 AS vwap_volume,
              sum(f.trade_count)::int AS trade_count,
              CASE WHEN bool_or(f.source = 'yahoo') THEN 'yahoo' WHEN bool_or(f.source = 'backfill') THEN 'backfill'
                   ELSE min(f.source) END AS source,
              bool_or(f.delayed) AS delayed, now()
      FROM bars_1h AS f
     GROUP BY 1, 2;
  END IF;
END $$;
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "user_watchlists" (
	"subject" text PRIMARY KEY NOT NULL,
	"symbols" text[] NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
