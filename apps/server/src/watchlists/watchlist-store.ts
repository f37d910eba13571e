import type { Database } from "@torghut/db";

/** One user's saved list: the symbols in their order and when they last changed it. */
export interface SavedWatchlist {
  symbols: string[];
  updatedAt: Date;
}

/** Where users' watchlists live; small so the routes are tested against any implementation. */
export interface WatchlistStore {
  /** null when the user has never saved a list. */
  get(subject: string): Promise<SavedWatchlist | null>;
  put(subject: string, symbols: readonly string[], at: Date): Promise<SavedWatchlist>;
}

interface Row {
  symbols: string[];
  updated_at: Date | string;
}

/** user_watchlists in PostgreSQL or PGlite: one row per subject, replaced whole on each save. */
export class SqlWatchlistStore implements WatchlistStore {
  constructor(private readonly database: Database) {}

  async get(subject: string): Promise<SavedWatchlist | null> {
    const result = await this.database.query<Row>(
      "SELECT symbols, updated_at FROM user_watchlists WHERE subject = $1",
      [subject],
    );
    const row = result.rows[0];
    return row === undefined ? null : toSaved(row);
  }

  async put(subject: string, symbols: readonly string[], at: Date): Promise<SavedWatchlist> {
    const result = await this.database.query<Row>(
      `INSERT INTO user_watchlists (subject, symbols, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (subject) DO UPDATE SET symbols = EXCLUDED.symbols, updated_at = EXCLUDED.updated_at
       RETURNING symbols, updated_at`,
      [subject, [...symbols], at.toISOString()],
    );
    return toSaved(result.rows[0]!);
  }
}

function toSaved(row: Row): SavedWatchlist {
  return { symbols: [...row.symbols], updatedAt: new Date(row.updated_at) };
}
