import { randomBytes } from "node:crypto";
import pg from "pg";

export interface TestDatabase {
  /** URL of the fresh database (same server and credentials as the one given). */
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named, empty database on the server of `serverUrl`, so test files that run in
 * parallel against one PostgreSQL never see each other's rows.
 */
export async function createTestDatabase(serverUrl: string, prefix = "torghut_test"): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await withAdminClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdminClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

async function withAdminClient<T>(serverUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  client.on("error", () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
