// Process plumbing shared by the benchmarks (load generators and servers run as child processes).
import type { ChildProcess } from "node:child_process";
import { createServer } from "node:net";

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
