import { createDb, createTestDatabase } from "@torghut/db";
import { storageContract } from "../../test/support/storage-contract";

storageContract("PGlite (in memory)", async () => {
  const database = await createDb({ inMemory: true });
  return { database, dispose: () => database.close() };
});

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  storageContract("PostgreSQL", async () => {
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
