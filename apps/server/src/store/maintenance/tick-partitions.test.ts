import { createDb, createTestDatabase } from "@torghut/db";
import { tickPartitionContract } from "../../../test/support/tick-partition-contract";

tickPartitionContract("PGlite (in memory)", async () => {
  const database = await createDb({ inMemory: true });
  return { database, dispose: () => database.close() };
});

const serverUrl = process.env.DATABASE_URL;
if (serverUrl) {
  tickPartitionContract("PostgreSQL", async () => {
    const scratch = await createTestDatabase(serverUrl, "i20_test");
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
