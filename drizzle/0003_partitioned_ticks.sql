-- ticks becomes partitioned by RANGE (event_ns), one partition per America/New_York trading day,
-- created ahead by apps/server/src/store/maintenance (drizzle-kit knows nothing of partitions, so this
-- migration is written by hand). The primary key already leads with event_ns's companions and holds
-- event_ns, so it stays the natural key and ON CONFLICT keeps de-duplicating retried batches.
-- Fixed-width columns first and booleans together: less alignment padding per row.
-- The existing table is not copied: it is attached as one partition (ticks_legacy) covering
-- everything up to the New York midnight after its newest row (or after now), so a large table
-- converts in the time of one validation scan, and retention drops it whole once it has expired.
ALTER TABLE "ticks" RENAME TO "ticks_legacy";--> statement-breakpoint
ALTER TABLE "ticks_legacy" RENAME CONSTRAINT "ticks_pkey" TO "ticks_legacy_pkey";--> statement-breakpoint
CREATE TABLE "ticks" (
	"event_ns" bigint NOT NULL,
	"event_at" timestamp (6) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"price" double precision NOT NULL,
	"size" double precision NOT NULL,
	"delayed" boolean NOT NULL,
	"suspicious" boolean DEFAULT false NOT NULL,
	"symbol" text NOT NULL,
	"source" text NOT NULL,
	"trade_id" text NOT NULL,
	"event_time" text,
	"exchange" text,
	"tape" text,
	"conditions" text[] DEFAULT '{}'::text[] NOT NULL,
	CONSTRAINT "ticks_pkey" PRIMARY KEY("symbol","event_ns","source","trade_id")
) PARTITION BY RANGE ("event_ns");--> statement-breakpoint
-- A tick for a day that has no partition yet (clock skew, a backfill of an old day, maintenance not
-- run yet) lands here instead of failing its batch; the maintenance moves such rows into the day's
-- partition when it creates it.
CREATE TABLE "ticks_default" PARTITION OF "ticks" DEFAULT;--> statement-breakpoint
DO $$
DECLARE
	newest timestamptz;
	upper_ns bigint;
BEGIN
	SELECT greatest(now(), max("event_at")) INTO newest FROM "ticks_legacy";
	IF NOT EXISTS (SELECT 1 FROM "ticks_legacy") THEN
		DROP TABLE "ticks_legacy";
		RETURN;
	END IF;
	upper_ns := (extract(epoch FROM ((((newest AT TIME ZONE 'America/New_York')::date + 1)::timestamp) AT TIME ZONE 'America/New_York')) * 1000000000)::bigint;
	EXECUTE format('ALTER TABLE "ticks" ATTACH PARTITION "ticks_legacy" FOR VALUES FROM (MINVALUE) TO (%s)', upper_ns);
END
$$;
