import { z } from "zod";
import { symbolSchema } from "./symbols";

/** More than any screen shows; a bound so one user cannot store an unbounded row. */
export const MAX_WATCHLIST_SYMBOLS = 500;

/** `PUT /api/me/watchlist`: the signed-in user's whole list, in their order, no repeats. */
export const watchlistUpdateSchema = z.object({
  symbols: z
    .array(symbolSchema)
    .max(MAX_WATCHLIST_SYMBOLS, `a watchlist holds at most ${MAX_WATCHLIST_SYMBOLS} symbols`)
    .refine((symbols) => new Set(symbols).size === symbols.length, "a symbol appears twice"),
});
export type WatchlistUpdate = z.infer<typeof watchlistUpdateSchema>;

/**
 * `GET /api/me/watchlist` (and the answer to a PUT): `symbols` null when the user has never saved a
 * list, so the page keeps what it has (the browser's list, or every tracked symbol).
 */
export const userWatchlistSchema = z.object({
  symbols: z.array(symbolSchema).nullable(),
  updatedAt: z.string().nullable(),
});
export type UserWatchlist = z.infer<typeof userWatchlistSchema>;
