import { DEFAULT_SYMBOLS } from "@torghut/contracts";
import type { Database } from "./client";

export interface SymbolSeed {
  symbol: string;
  name?: string;
}

/**
 * Makes the configured symbols present and active (asset class STOCK). Idempotent: run at every
 * start. A symbol given without a name takes the default list's name, else its ticker.
 */
export async function seedSymbols(
  database: Database,
  list: readonly (string | SymbolSeed)[] = DEFAULT_SYMBOLS,
): Promise<number> {
  const knownNames = new Map(DEFAULT_SYMBOLS.map((s) => [s.symbol, s.name]));
  const rows = list.map((entry) => {
    const seed = typeof entry === "string" ? { symbol: entry } : entry;
    return { symbol: seed.symbol, name: seed.name ?? knownNames.get(seed.symbol) ?? seed.symbol };
  });
  if (rows.length === 0) return 0;
  await database.query(
    `INSERT INTO symbols (symbol, name, asset_class, active)
     SELECT r.symbol, r.name, 'STOCK', true FROM json_to_recordset($1::json) AS r(symbol text, name text)
     ON CONFLICT (symbol) DO UPDATE SET name = EXCLUDED.name, active = true`,
    [JSON.stringify(rows)],
  );
  return rows.length;
}
