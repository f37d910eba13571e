import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createDb, createTestDatabase } from "@torghut/db";
import { readRunbook } from "../support/runbook";

// RUNBOOK-010's SQL, run with psql against a PostgreSQL database of the test's own, in the order
// the runbook gives it, with the application's own migrations and queries in between: the two
// login roles acting as one owner must both be able to run Torghut on the same tables.
// (The shared test server trusts every local login, so passwords are not what this checks.)

const RUNBOOK = fileURLToPath(new URL("../../../../docs/runbooks.md", import.meta.url));
const serverUrl = process.env.DATABASE_URL;

if (serverUrl) {
  test("RUNBOOK-010: database credential rotation with two login roles, replayed with psql", async () => {
    const blocks = readRunbook(RUNBOOK).filter(
      (s) => s.language === "sql" && /torghut_(blue|green)/.test(s.command),
    );
    assert.equal(blocks.length, 3, "setup, rotation, retirement of the old role");
    const scratch = await createTestDatabase(serverUrl, "torghut_rotation");
    const database = new URL(scratch.url).pathname.slice(1);
    // Roles are global to the server: suffix them so that parallel runs never meet.
    const suffix = randomBytes(4).toString("hex");
    const role = (name: string) => `${name}_${suffix}`;
    const localise = (sql: string) =>
      sql
        .replace(/\btorghut_(owner|blue|green)\b/g, (name) => role(name))
        .replace(/\bDATABASE torghut\b/g, `DATABASE "${database}"`);
    const psql = (sql: string) => {
      const result = spawnSync(
        "psql",
        [
          scratch.url,
          "-X",
          "-q",
          "-v",
          "ON_ERROR_STOP=1",
          "-v",
          "blue_password=blue-1",
          "-v",
          "new_password=green-2",
        ],
        { input: localise(sql), encoding: "utf8" },
      );
      assert.equal(result.status, 0, `psql failed:\n${localise(sql)}\n${result.stderr}`);
      return result.stdout;
    };
    const as = (login: string) => {
      const url = new URL(scratch.url);
      url.username = role(login);
      url.password = login === "torghut_blue" ? "blue-1" : "green-2";
      return url.toString();
    };
    try {
      psql(blocks[0]!.command);
      // The running release, connected as blue: it migrates and writes.
      const blue = await createDb({ url: as("torghut_blue") });
      await blue.query("INSERT INTO symbols (symbol, name) VALUES ('AAPL', 'Apple Inc.')");
      psql(blocks[1]!.command);
      // The new pods, as green, while blue's are still up: same tables, reads and writes.
      const green = await createDb({ url: as("torghut_green") });
      await green.query("INSERT INTO symbols (symbol, name) VALUES ('MSFT', 'Microsoft')");
      const { rows } = await green.query<{ n: number }>("SELECT count(*)::int AS n FROM symbols");
      assert.equal(rows[0]?.n, 2);
      const blueSessions = async () => {
        const admin = new pg.Client({ connectionString: scratch.url });
        await admin.connect();
        const result = await admin.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1",
          [role("torghut_blue")],
        );
        await admin.end();
        return (result.rows[0] as { n: number }).n;
      };
      assert.ok((await blueSessions()) > 0, "blue's pods are still connected during the switch");
      await blue.close();
      assert.equal(await blueSessions(), 0);
      assert.match(psql(blocks[2]!.command), /\b0\b/, "the runbook's session count");
      await green.close();
    } finally {
      await scratch.drop();
      const admin = new pg.Client({ connectionString: serverUrl });
      await admin.connect();
      for (const name of ["torghut_blue", "torghut_green", "torghut_owner"])
        await admin.query(`DROP ROLE IF EXISTS "${role(name)}"`).catch(() => undefined);
      await admin.end();
    }
  });
}
