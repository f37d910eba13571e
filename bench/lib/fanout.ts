// Pieces shared by the fan-out benchmarks (bench/fanout*.ts): the trade every server publishes, the
// server + client-process pair each run starts and stops, and small helpers for the scripts.
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { exited, request } from "./processes";

/** Wall-clock ms with sub-ms precision, comparable across processes on one machine. */
export const hr = (): number => performance.timeOrigin + performance.now();

/** Lets a run settle (connections established, frames in flight); benchmarks only. */
export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A number for a results table: fixed digits, "n/a" when not finite. */
export const fixed = (n: number, digits = 1): string => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

/** A child process's answer to its parent (the bench scripts forked with an IPC channel). */
export const reply = (message: unknown): void => void process.send!(message);

/** A trade as the hub publishes it, stamped with `benchT` so clients can time the delivery. */
export function benchTrade(symbol: string, offset: number) {
  return {
    kind: "trade" as const,
    symbol,
    price: 100 + (offset % 100) / 100,
    size: 100,
    tradeId: String(offset),
    exchange: "V",
    conditions: ["@"],
    tape: "C",
    suspicious: false,
    eventTime: new Date().toISOString(),
    receivedAt: Date.now(),
    source: "alpaca" as const,
    delayed: false,
    benchT: hr(),
  };
}

export interface ServerAndClients {
  server: ChildProcess;
  clients: ChildProcess;
  port: number;
  token: string;
}

/** Forks a bench server script (which replies `listening`) and a fanout-clients process for it. */
export async function forkServerAndClients(
  serverScript: string,
  args: string[],
  execArgv: string[],
): Promise<ServerAndClients> {
  const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
  const stdio: ["ignore", "inherit", "inherit", "ipc"] = ["ignore", "inherit", "inherit", "ipc"];
  const server = fork(here(`../${serverScript}`), args, { execArgv, stdio });
  const { port, token } = await request<{ port: number; token: string }>(server, null, "listening");
  const clients = fork(here("../fanout-clients.ts"), [], { execArgv, stdio });
  await request(clients, null, "up");
  return { server, clients, port, token };
}

/** Closes the clients' connections, then the server, and waits for both processes to exit. */
export async function stopServerAndClients(pair: {
  server: ChildProcess;
  clients: ChildProcess;
}): Promise<void> {
  await request(pair.clients, { cmd: "close" }, "closed");
  pair.server.send({ cmd: "close" });
  await Promise.all([exited(pair.server), exited(pair.clients)]);
}
