// Process plumbing shared by the benchmarks (load generators and servers run as child processes).
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { createServer } from "node:net";
import { resolve } from "node:path";

/** The repository root: scripts started with `start` run from here. */
export const ROOT = resolve(import.meta.dirname, "../..");

/**
 * `node --import tsx <script> ...args` from the repository root, with `env` over this process's
 * environment. Output: stderr inherited (a server's crash shows), stdout ignored, unless `stdio` says.
 */
export function start(
  script: string,
  args: string[],
  env: Record<string, string>,
  stdio: StdioOptions = ["ignore", "ignore", "inherit"],
): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio,
  });
}

/** Polls `url` until it answers 2xx; fails as soon as `child` exits, or after two minutes. */
export async function waitFor(url: string, child: ChildProcess, what = url): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited (${child.exitCode}) before ${url} answered`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not ready at ${url} within 120 s`);
}

/** Sends `message` (unless null) and resolves with the child's first reply whose `cmd` is `expect`. */
export function request<T>(child: ChildProcess, message: unknown, expect: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (reply: { cmd: string; error?: string }): void => {
      if (reply.cmd === "failed") {
        child.off("message", onMessage);
        reject(new Error(reply.error));
      } else if (reply.cmd === expect) {
        child.off("message", onMessage);
        resolve(reply as T);
      }
    };
    child.on("message", onMessage);
    if (message !== null) child.send(message as object);
  });
}

export const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => child.once("exit", () => resolve()));

/** A loopback port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
