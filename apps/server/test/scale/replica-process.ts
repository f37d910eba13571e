import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
const SERVER_DIR = fileURLToPath(new URL("../..", import.meta.url));

export interface ReplicaProcess {
  child: ChildProcess;
  /** http://127.0.0.1:port, from the "Torghut listening" log line. */
  url: string;
  replicaId: string;
  /** Everything the process logged (pino JSON lines), for failure messages. */
  output(): string;
  /** What it wrote to stdout only (its log lines) and to stderr only. */
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * `apps/server/src/main.ts` as its own process (what a pod runs), with only the env given plus PATH.
 * `nodeArgs` replaces how it is run (the compiled server: `["dist/main.js"]`, from apps/server).
 */
export async function spawnReplica(
  env: Record<string, string>,
  timeoutMs = 30_000,
  nodeArgs: string[] = ["--import", "tsx", MAIN],
): Promise<ReplicaProcess> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "test", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  let stdout = "";
  let stderr = "";
  const listening = new Promise<{ url: string; replicaId: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`replica did not start within ${timeoutMs} ms:\n${log.slice(-4000)}`)),
      timeoutMs,
    );
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`replica exited with ${code} before listening:\n${log.slice(-4000)}`));
    });
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      log += chunk.toString();
      stdout += chunk.toString();
      pending += chunk.toString();
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const entry = parse(line);
        if (typeof entry?.msg === "string" && entry.msg.startsWith("Torghut listening")) {
          clearTimeout(timer);
          resolve({ url: String(entry.url), replicaId: String(entry.replicaId) });
        }
      }
    });
  });
  child.stderr.on("data", (chunk: Buffer) => {
    log += chunk.toString();
    stderr += chunk.toString();
  });
  const { url, replicaId } = await listening;
  return {
    child,
    url,
    replicaId,
    output: () => log,
    stdout: () => stdout,
    stderr: () => stderr,
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill(signal);
      await exited;
    },
  };
}

function parse(line: string): Record<string, unknown> | null {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}
