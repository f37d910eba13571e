import { z } from "zod";
import { sourceNameSchema } from "./provenance";
import { symbolSchema } from "./symbols";

const instant = z.iso.datetime({ offset: true });

/**
 * Which clock decided whether the US equity session is open: Alpaca's trading-API clock, or — only
 * when that cannot be reached — the local NYSE calendar (weekends, exchange holidays, early closes).
 */
export const marketClockSourceSchema = z.enum(["trading-api-clock", "local-calendar"]);
export type MarketClockSource = z.infer<typeof marketClockSourceSchema>;

/** The market's state as the server knows it; read by the UI's "market closed — last price at …". */
export const marketStatusSchema = z.object({
  open: z.boolean(),
  decidedBy: marketClockSourceSchema,
  nextOpen: instant.nullable(),
  nextClose: instant.nullable(),
  /** The last regular-session close at or before now. */
  lastClose: instant.nullable(),
  /** When the clock was last read. */
  checkedAt: instant,
  /** Why the trading-API clock was not used (operator text, no secrets); null when it decided. */
  clockError: z.string().nullable(),
});
export type MarketStatus = z.infer<typeof marketStatusSchema>;

/** Why one symbol is marked stale on its own while others trade. */
export const staleReasonSchema = z.enum([
  /** Upstream said so: a trading-status halt or pause. */
  "halted",
  /** No trade for far longer than its own recent rate (halted without notice, or illiquid). */
  "quiet",
]);
export type StaleReason = z.infer<typeof staleReasonSchema>;

/** One watchlist row's freshness: the last trade, and whether that price is still current. */
export const symbolFreshnessSchema = z.object({
  symbol: symbolSchema,
  /** Event time of the last accepted trade (the exchange's clock), null before the first. */
  lastTradeAt: instant.nullable(),
  /** When we received it. */
  lastReceivedAt: instant.nullable(),
  source: sourceNameSchema.nullable(),
  stale: z.boolean(),
  staleReason: staleReasonSchema.nullable(),
  /** Operator text: "no trade for 45 s (usual gap 0.4 s) while others trade", "trading halt (H)". */
  staleDetail: z.string().nullable(),
});
export type SymbolFreshness = z.infer<typeof symbolFreshnessSchema>;

/**
 * How the prices on screen must be presented, all things considered: `live` (primary, fresh),
 * `delayed` (the fallback), `stale` (nothing current), `market-closed` (last prices of the session).
 */
export const pricePresentationSchema = z.enum(["live", "delayed", "stale", "market-closed"]);
export type PricePresentation = z.infer<typeof pricePresentationSchema>;
