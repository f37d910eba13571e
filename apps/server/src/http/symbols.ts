import type { Database } from "@torghut/db";
import type { FastifyInstance } from "fastify";

interface SymbolRow {
  symbol: string;
  name: string;
  asset_class: string;
  active: boolean;
}

/** `GET /api/symbols`: the active symbols with their asset class, as the watchlist and runbooks read them. */
export function registerSymbolRoutes(app: FastifyInstance, database: Database): void {
  app.get("/api/symbols", async () => {
    const result = await database.query<SymbolRow>(
      `SELECT symbol, name, asset_class, active FROM symbols WHERE active ORDER BY symbol`,
    );
    return {
      symbols: result.rows.map((row) => ({
        symbol: row.symbol,
        name: row.name,
        assetClass: row.asset_class,
        active: row.active,
      })),
    };
  });
}
