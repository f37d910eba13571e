CREATE TABLE "bars_1d" (
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
	CONSTRAINT "bars_1d_pkey" PRIMARY KEY("symbol","bucket")
);
--> statement-breakpoint
CREATE TABLE "bars_1h" (
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
	CONSTRAINT "bars_1h_pkey" PRIMARY KEY("symbol","bucket")
);
--> statement-breakpoint
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
--> statement-breakpoint
-- bars_5m from bars_1m, for the bars stored before rollups existed
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
 GROUP BY 1, 2
ON CONFLICT (symbol, bucket) DO UPDATE SET
  open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
  volume = EXCLUDED.volume, vwap = EXCLUDED.vwap, vwap_volume = EXCLUDED.vwap_volume,
  trade_count = EXCLUDED.trade_count, source = EXCLUDED.source, delayed = EXCLUDED.delayed, updated_at = now();--> statement-breakpoint
-- bars_1h from bars_5m, for the bars stored before rollups existed
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
 GROUP BY 1, 2
ON CONFLICT (symbol, bucket) DO UPDATE SET
  open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
  volume = EXCLUDED.volume, vwap = EXCLUDED.vwap, vwap_volume = EXCLUDED.vwap_volume,
  trade_count = EXCLUDED.trade_count, source = EXCLUDED.source, delayed = EXCLUDED.delayed, updated_at = now();--> statement-breakpoint
-- bars_1d from bars_1h, for the bars stored before rollups existed
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
 GROUP BY 1, 2
ON CONFLICT (symbol, bucket) DO UPDATE SET
  open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close,
  volume = EXCLUDED.volume, vwap = EXCLUDED.vwap, vwap_volume = EXCLUDED.vwap_volume,
  trade_count = EXCLUDED.trade_count, source = EXCLUDED.source, delayed = EXCLUDED.delayed, updated_at = now();
