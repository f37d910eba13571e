CREATE TABLE "bars_1m" (
	"symbol" text NOT NULL,
	"minute" timestamp (3) with time zone NOT NULL,
	"open" double precision NOT NULL,
	"high" double precision NOT NULL,
	"low" double precision NOT NULL,
	"close" double precision NOT NULL,
	"volume" double precision NOT NULL,
	"vwap" double precision,
	"trade_count" integer NOT NULL,
	"source" text NOT NULL,
	"delayed" boolean NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "bars_1m_pkey" PRIMARY KEY("symbol","minute")
);
--> statement-breakpoint
CREATE TABLE "source_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"reason" text NOT NULL,
	"actor" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "symbols" (
	"symbol" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"asset_class" text DEFAULT 'STOCK' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ticks" (
	"symbol" text NOT NULL,
	"event_ns" bigint NOT NULL,
	"source" text NOT NULL,
	"trade_id" text NOT NULL,
	"event_time" text NOT NULL,
	"event_at" timestamp (6) with time zone NOT NULL,
	"received_at" timestamp (3) with time zone NOT NULL,
	"price" double precision NOT NULL,
	"size" double precision NOT NULL,
	"delayed" boolean NOT NULL,
	"exchange" text,
	"tape" text,
	"conditions" text[] DEFAULT '{}'::text[] NOT NULL,
	"suspicious" boolean DEFAULT false NOT NULL,
	CONSTRAINT "ticks_pkey" PRIMARY KEY("symbol","event_ns","source","trade_id")
);
--> statement-breakpoint
CREATE TABLE "validation_rejections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"symbol" text,
	"source" text NOT NULL,
	"event_time" text,
	"reason" text NOT NULL,
	"payload" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "source_events_at_idx" ON "source_events" USING btree ("at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "validation_rejections_symbol_at_idx" ON "validation_rejections" USING btree ("symbol","at" DESC NULLS LAST);