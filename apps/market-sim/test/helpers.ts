/** Test helpers: a plain `ws` stream client that records every frame, and deadline polling. */
import { inspect } from "node:util";
import WebSocket from "ws";
import type { RunningSimulator, SimulatorOptions } from "../src/index";
import { startSimulator } from "../src/index";

export const KEY = { "APCA-API-KEY-ID": "sim-key", "APCA-API-SECRET-KEY": "sim-secret" };
export const AUTH = JSON.stringify({ action: "auth", key: "sim-key", secret: "sim-secret" });

/**
 * Polls `check` (sync or async) until it returns a truthy value and resolves to that value, or
 * rejects at the deadline naming `what` and the last value or error seen. Same signature as the
 * server's test/support/eventually.ts; a copy, because the simulator shares no code with its clients.
 */
export async function eventually<T>(
  check: () => T | PromiseLike<T>,
  what: string,
  options: number | { timeoutMs?: number; pump?: () => void } = {},
): Promise<Exclude<T, false | 0 | 0n | "" | null | undefined>> {
  const { timeoutMs = 5_000, pump } = typeof options === "number" ? { timeoutMs: options } : options;
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      pump?.();
      const value = await check();
      if (value) return value as Exclude<T, false | 0 | 0n | "" | null | undefined>;
      last = `last value: ${inspect(value, { depth: 2, breakLength: Infinity, maxArrayLength: 5 })}`;
    } catch (error) {
      last = `last error: ${error instanceof Error ? error.message : inspect(error)}`;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${last})`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export type Msg = Record<string, unknown> & { T: string };

export class StreamClient {
  readonly frames: string[] = [];
  readonly messages: Msg[] = [];
  closeCode: number | null = null;
  /** Messages received over the socket's life (survives clearing `messages`). */
  received = 0;
  readonly socket: WebSocket;

  private constructor(url: string, headers?: Record<string, string>) {
    this.socket = new WebSocket(url, { headers, perMessageDeflate: false });
    this.socket.on("message", (data) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString()
        : Buffer.from(data as ArrayBuffer).toString();
      this.frames.push(text);
      try {
        const parsed = JSON.parse(text) as Msg[];
        this.messages.push(...parsed);
        this.received += parsed.length;
      } catch {
        // malformed frames are recorded in `frames` only
      }
    });
    this.socket.on("close", (code) => (this.closeCode = code));
    this.socket.on("error", () => undefined);
  }

  static async open(
    sim: RunningSimulator,
    feed = "iex",
    headers?: Record<string, string>,
  ): Promise<StreamClient> {
    const client = new StreamClient(`${sim.alpacaStreamUrl}/v2/${feed}`, headers);
    await client.next((m) => m.T === "success" && m.msg === "connected", "connected");
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Waits for a message after index `from` (default: any) matching `match`. */
  next(match: (m: Msg) => boolean, what: string, from = 0): Promise<Msg> {
    return eventually(() => this.messages.slice(from).find(match), what);
  }

  /** Sends and waits for the first reply message that arrives after sending. */
  async request(message: unknown, match: (m: Msg) => boolean = () => true): Promise<Msg> {
    const from = this.messages.length;
    this.send(message);
    return this.next(match, `reply to ${JSON.stringify(message)}`, from);
  }

  async authenticate(): Promise<void> {
    const reply = await this.request(AUTH);
    if (reply.msg !== "authenticated") throw new Error(`auth failed: ${JSON.stringify(reply)}`);
  }

  of(type: string): Msg[] {
    return this.messages.filter((m) => m.T === type);
  }

  closed(): Promise<number> {
    return eventually(() => this.closeCode ?? undefined, "socket close");
  }

  close(): void {
    this.socket.close();
  }
}

/** Waits until one lone client has received every message the simulator counted as sent. */
export function drained(sim: RunningSimulator, client: StreamClient): Promise<true> {
  return eventually(
    () => client.received >= sim.control.counters().messagesSent,
    "all sent messages received",
  );
}

export function isError(code: number) {
  return (m: Msg): boolean => m.T === "error" && m.code === code;
}

/** A manual-clock simulator at a fixed, deterministic instant (a Wednesday, 15:00 New York). */
export function startManual(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({
    port: 0,
    seed: 7,
    manualClock: true,
    startTime: Date.UTC(2025, 2, 12, 19, 0, 0),
    historyMinutes: 180,
    historyDays: 30,
    ...options,
  });
}
