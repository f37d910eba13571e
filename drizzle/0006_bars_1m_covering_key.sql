-- The 1m bars answer (apps/server/src/store/bars/interval-bars.ts) reads every column but updated_at.
-- bars_1m rows are written minute by minute for all symbols at once, so one symbol's 2,730 bars of a
-- week lie on ~450-1,400 heap pages, each a random read when it is not cached. With the columns the
-- read needs carried in the primary key (INCLUDE), the same week is ~50 consecutive index pages and an
-- index-only scan once the pages are all-visible (vacuum). Written by hand: drizzle-kit knows no
-- INCLUDE. The key columns are unchanged, so ON CONFLICT (symbol, minute) of this and the previous
-- release still finds it. Rebuilding the index holds bars_1m's lock for the build (~15 s per 4M bars).
ALTER TABLE "bars_1m" DROP CONSTRAINT "bars_1m_pkey", ADD CONSTRAINT "bars_1m_pkey" PRIMARY KEY ("symbol", "minute") INCLUDE ("open", "high", "low", "close", "volume", "vwap", "trade_count", "source", "delayed");
