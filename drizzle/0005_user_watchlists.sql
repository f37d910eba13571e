CREATE TABLE "user_watchlists" (
	"subject" text PRIMARY KEY NOT NULL,
	"symbols" text[] NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
