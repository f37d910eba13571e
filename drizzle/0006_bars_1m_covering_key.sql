-- The 1m bars answer (apps/server/src/store/bars/interval-bars.ts) reads every column but updated_at.
-- bars_1m rows are written minute by minute for all symbols at once, so one symbol's 2,730 bars of a
-- week lie on ~1,200 heap pages, each a random read when it is not cached. With the columns the read
-- needs carried in the primary key (INCLUDE), the same week is ~70 consecutive index pages and an
-- index-only scan once the pages are all-visible (vacuum). Written by hand: drizzle-kit knows no
-- INCLUDE. The key columns are unchanged, so ON CONFLICT (symbol, minute) of this and the previous
-- release still finds it. Building the index here holds bars_1m (writes and reads of bars wait) for
-- ~15 s per 4M bars; for a large table build it first without a lock (RUNBOOK-011: CREATE UNIQUE INDEX
-- CONCURRENTLY bars_1m_covering ...) and this migration only swaps it in.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_index WHERE indexrelid = to_regclass('bars_1m_covering') AND NOT indisvalid) THEN
    DROP INDEX bars_1m_covering; -- a concurrent build that failed half way
  END IF;
  IF to_regclass('bars_1m_covering') IS NULL THEN
    CREATE UNIQUE INDEX bars_1m_covering ON bars_1m (symbol, minute)
      INCLUDE (open, high, low, close, volume, vwap, trade_count, source, delayed);
  END IF;
  ALTER TABLE bars_1m DROP CONSTRAINT bars_1m_pkey,
    ADD CONSTRAINT bars_1m_pkey PRIMARY KEY USING INDEX bars_1m_covering;
END $$;
