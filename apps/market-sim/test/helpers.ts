/** Test helpers: a plain `ws` stream client that records every frame; deadline polling is @torghut/testing's. */
import { eventually } from "@torghut/testing";
import WebSocket from "ws";
import type { RunningSimulator, SimulatorOptions } from "../src/index";
import { startSimulator } from "../src/index";

export { eventually };

export const KEY = { "APCA-API-KEY-ID": "sim-key", "APCA-API-SECRET-KEY": "sim-secret" };
export const AUTH = JSON.stringify({ action: "auth", key: "sim-key", secret: "sim-secret" });

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
