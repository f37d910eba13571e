import { execFile } from "node:child_process";
import { chmod, chown, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the test's own, so a test can break the database the way the world does
 * (freeze it with SIGSTOP, stop it, refuse connections, revoke grants) without touching the shared
 * server on 5432 that other suites use. Needs `initdb`/`pg_ctl` on PATH (PostgreSQL's server
 * binaries); as root the cluster runs as the `postgres` user, as PostgreSQL requires.
 */
export interface PgCluster {
  readonly port: number;
  readonly dataDir: string;
  /** A connection URL for `database` (default `postgres`) as the superuser `postgres`. */
  url(database?: string): string;
  /** Runs SQL through psql as the superuser and returns its unaligned output. */
  psql(sql: string, database?: string): Promise<string>;
  /** SIGSTOP to the postmaster and every backend: connections stay open, nothing answers. */
  freeze(): Promise<void>;
  /** SIGCONT to every process `freeze` stopped. */
  thaw(): Promise<void>;
  /** `pg_ctl stop`; connections are refused until `start`. */
  stop(mode?: "fast" | "immediate" | "smart"): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster (thawing it first) and removes its files. */
  destroy(): Promise<void>;
}

export interface PgClusterOptions {
  /** Extra `postgresql.conf` settings, e.g. `{ max_connections: "20" }`. */
  settings?: Record<string, string>;
}

const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

async function asPostgres(command: string, args: string[]): Promise<string> {
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const { stdout } = await run(file, argv, { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const dataDir = await mkdtemp(join(tmpdir(), "torghut-pg-"));
  if (asRoot) {
    const { stdout } = await run("id", ["-u", "postgres"]);
    const { stdout: gid } = await run("id", ["-g", "postgres"]);
    await chown(dataDir, Number(stdout.trim()), Number(gid.trim()));
  }
  await chmod(dataDir, 0o700);
  await asPostgres("initdb", ["-D", dataDir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
  const port = await freePort();
  const settings = {
    port: String(port),
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: `'${dataDir}'`,
    fsync: "off",
    ...options.settings,
  };
  const pgOptions = Object.entries(settings)
    .map(([key, value]) => `-c ${key}=${value}`)
    .join(" ");
  const logFile = join(dataDir, "server.log");
  const stopped = new Set<number>();

  async function processIds(): Promise<number[]> {
    const postmaster = Number((await readFile(join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
    const { stdout } = await run("pgrep", ["-P", String(postmaster)]).catch(() => ({ stdout: "" }));
    return [postmaster, ...stdout.split("\n").filter(Boolean).map(Number)];
  }

  const cluster: PgCluster = {
    port,
    dataDir,
    url: (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`,
    psql: (sql, database = "postgres") =>
      asPostgres("psql", [
        "-h",
        "127.0.0.1",
        "-p",
        String(port),
        "-d",
        database,
        "-XAtq",
        "-v",
        "ON_ERROR_STOP=1",
        "-c",
        sql,
      ]),
    async freeze() {
      // Children first, so the postmaster cannot restart a backend between the two signals.
      for (const pid of (await processIds()).reverse()) {
        process.kill(pid, "SIGSTOP");
        stopped.add(pid);
      }
    },
    thaw() {
      for (const pid of stopped) {
        try {
          process.kill(pid, "SIGCONT");
        } catch {
          // The process ended while frozen (e.g. killed); nothing to resume.
        }
      }
      stopped.clear();
      return Promise.resolve();
    },
    async stop(mode = "fast") {
      await asPostgres("pg_ctl", ["-D", dataDir, "-m", mode, "-w", "stop"]);
    },
    async start() {
      await asPostgres("pg_ctl", ["-D", dataDir, "-l", logFile, "-o", pgOptions, "-w", "start"]);
    },
    async destroy() {
      await cluster.thaw();
      await cluster.stop("immediate").catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
