import { createDb, createTestDatabase, type Database } from "@torghut/db";

/** A fresh, migrated database of one engine and how to throw it away. */
export interface EngineHandle {
  database: Database;
  dispose(): Promise<void>;
}

/**
 * Runs a storage contract suite on embedded PGlite, and on a scratch database of the real PostgreSQL
 * at `DATABASE_URL` when it is set (CI sets it), so both engines answer the same assertions.
 */
export function onBothEngines(contract: (engine: string, open: () => Promise<EngineHandle>) => void): void {
  contract("PGlite (in memory)", async () => {
    const database = await createDb({ inMemory: true });
    return { database, dispose: () => database.close() };
  });
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) return;
  contract("PostgreSQL", async () => {
    const scratch = await createTestDatabase(serverUrl);
    const database = await createDb({ url: scratch.url });
    return {
      database,
      dispose: async () => {
        await database.close();
        await scratch.drop();
      },
    };
  });
}
