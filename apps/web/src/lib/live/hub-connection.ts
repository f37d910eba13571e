"use client";

/**
 * The page's end of `/hubs/market-data`: the SignalR JSON hub protocol over one WebSocket, the
 * subset our hub speaks (handshake, invocations both ways, completions, pings, close; see
 * apps/server/src/realtime/transports/signalr-protocol.ts). It replaces @microsoft/signalr's
 * HubConnection on the receive path, which a 500-symbol watchlist takes 16,000 times a second:
 * that client re-armed a timer (setTimeout + clearTimeout), built a log string and a promise for
 * every message, the largest JavaScript cost in a profile of the page at that rate (`npm run bench
 * -- ui --parts isolated --profile`). Here a message costs its JSON.parse, a counter and a clock
 * read; the server timeout is watched by one interval that compares that counter.
 */
const RS = "\x1e";
const HANDSHAKE = `{"protocol":"json","version":1}${RS}`;
const PING = `{"type":6}${RS}`;
/** As @microsoft/signalr: ping every 15 s (the hub drops a client silent for 30 s), give up on a server silent for 30 s. */
const KEEP_ALIVE_MS = 15_000;
const SERVER_TIMEOUT_MS = 30_000;
/** A server that accepts the socket but never answers the handshake is given up on after this long. */
const HANDSHAKE_TIMEOUT_MS = 15_000;
/** Reconnect delays after a lost connection (withAutomaticReconnect's default); then `closed`. */
const RECONNECT_DELAYS_MS = [0, 2_000, 10_000, 30_000];

export interface HubEvents {
  /** The `publication` invocation's argument, as received (the caller validates what it uses). */
  publication(message: unknown): void;
  reconnecting(reason: string): void;
  reconnected(): void;
  /** Gone for good (reconnects exhausted, or the server said not to come back). */
  closed(reason: string): void;
}

type Pending = { resolve: (result: unknown) => void; reject: (error: Error) => void };

export class HubConnection {
  private socket: WebSocket | null = null;
  private handshaken = false;
  private partial = "";
  private received = 0;
  /** When the next keep-alive ping is due (epoch ms); checked on every message, see `receive`. */
  private nextPingAt = 0;
  private nextId = 1;
  private readonly pending = new Map<string, Pending>();
  private timers: ReturnType<typeof setInterval>[] = [];
  private stopped = false;
  private ended = false;

  constructor(
    private readonly hubUrl: string,
    private readonly token: () => Promise<string>,
    private readonly events: HubEvents,
  ) {}

  get connected(): boolean {
    return this.handshaken && this.socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket and completes the handshake; rejects when either fails. */
  async start(): Promise<void> {
    const url = new URL(this.hubUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("access_token", await this.token());
    const socket = new WebSocket(url);
    this.socket = socket;
    this.handshaken = false;
    this.partial = "";
    let handshakeTimer: ReturnType<typeof setTimeout> | undefined;
    await new Promise<void>((resolve, reject) => {
      handshakeTimer = setTimeout(() => reject(new Error("no handshake answer")), HANDSHAKE_TIMEOUT_MS);
      socket.onopen = () => socket.send(HANDSHAKE);
      socket.onerror = () => undefined;
      socket.onclose = (event) =>
        reject(new Error(`WebSocket closed: ${event.code} ${event.reason || ""}`.trim()));
      // The hub sends text messages only. (Untyped `MessageEvent`: Node's, for the contract test, is not generic.)
      socket.onmessage = (event) => {
        const data = event.data as string;
        const end = data.indexOf(RS);
        let answer: { error?: string };
        try {
          answer = JSON.parse(end === -1 ? data : data.slice(0, end)) as { error?: string };
        } catch {
          return reject(new Error("handshake answer is not JSON"));
        }
        if (answer.error !== undefined) return reject(new Error(`handshake refused: ${answer.error}`));
        this.handshaken = true;
        socket.onmessage = (e) => this.receive(e.data as string);
        socket.onclose = (e) => this.lost(`live connection closed (${e.code})`);
        if (end !== -1 && end + 1 < data.length) this.receive(data.slice(end + 1));
        resolve();
      };
    })
      .catch((error: unknown) => {
        socket.close();
        throw error;
      })
      .finally(() => clearTimeout(handshakeTimer));
    this.nextPingAt = Date.now() + KEEP_ALIVE_MS;
    this.watch();
  }

  /** Invokes a hub method; resolves with its completion's result. */
  invoke(target: string, args: unknown[]): Promise<unknown> {
    if (!this.connected) return Promise.reject(new Error("not connected"));
    const invocationId = String(this.nextId++);
    return new Promise((resolve, reject) => {
      this.pending.set(invocationId, { resolve, reject });
      this.socket!.send(`${JSON.stringify({ type: 1, invocationId, target, arguments: args })}${RS}`);
    });
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.socket?.close(1000);
  }

  /** One WebSocket message: usually one record, but the protocol allows several and splits. */
  private receive(text: string): void {
    this.received++;
    // Pinged from here as well as from the interval: a hidden tab's timers fire once a minute, and the
    // hub drops a client silent for 30 s (@microsoft/signalr pings from its network callback too).
    const now = Date.now();
    if (now >= this.nextPingAt) this.ping(now);
    let start = 0;
    const data = this.partial === "" ? text : this.partial + text;
    try {
      for (let end = data.indexOf(RS); end !== -1; end = data.indexOf(RS, start)) {
        this.record(data.slice(start, end));
        start = end + 1;
      }
    } catch {
      // Not our hub's JSON: drop the connection (and reconnect) rather than guess where records start.
      this.partial = "";
      this.socket?.close(4002, "malformed message");
      return;
    }
    this.partial = data.slice(start);
  }

  private record(text: string): void {
    const message = JSON.parse(text) as {
      type?: number;
      target?: string;
      arguments?: unknown[];
      invocationId?: string;
      result?: unknown;
      error?: string;
      allowReconnect?: boolean;
    };
    if (message.type === 1 && message.target === "publication")
      this.events.publication(message.arguments?.[0]);
    else if (message.type === 3 && message.invocationId !== undefined) {
      const call = this.pending.get(message.invocationId);
      this.pending.delete(message.invocationId);
      if (message.error !== undefined) call?.reject(new Error(message.error));
      else call?.resolve(message.result);
    } else if (message.type === 7) {
      if (message.allowReconnect !== true) this.stopped = true;
      this.socket?.close(1000);
      if (message.allowReconnect !== true)
        this.end(`server closed the connection: ${message.error ?? "no reason given"}`);
    }
  }

  /** Keep-alive pings, and the server timeout: no message for SERVER_TIMEOUT_MS closes the socket. */
  private watch(): void {
    this.clearTimers();
    let seen = this.received;
    let quietSince = Date.now();
    this.timers = [
      setInterval(() => {
        const now = Date.now();
        if (now >= this.nextPingAt) this.ping(now);
      }, KEEP_ALIVE_MS / 3),
      setInterval(() => {
        if (this.received !== seen) {
          seen = this.received;
          quietSince = Date.now();
        } else if (Date.now() - quietSince > SERVER_TIMEOUT_MS) this.socket?.close(4000, "server timeout");
      }, 5_000),
    ];
  }

  private ping(now: number): void {
    this.nextPingAt = now + KEEP_ALIVE_MS;
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(PING);
  }

  private clearTimers(): void {
    this.timers.forEach((t) => clearInterval(t));
    this.timers = [];
  }

  private failPending(reason: string): void {
    for (const call of this.pending.values()) call.reject(new Error(reason));
    this.pending.clear();
  }

  /** The connection dropped after the handshake: reconnect, or give up after the last delay. */
  private lost(reason: string): void {
    this.clearTimers();
    this.failPending(reason);
    if (this.stopped) return this.end(reason);
    this.events.reconnecting(reason);
    void this.reconnect(0, reason);
  }

  private async reconnect(attempt: number, reason: string): Promise<void> {
    if (this.stopped) return this.end(reason);
    const delay = RECONNECT_DELAYS_MS[attempt];
    if (delay === undefined) return this.end(reason);
    await new Promise((resolve) => setTimeout(resolve, delay));
    try {
      await this.start();
      this.events.reconnected();
    } catch (error) {
      await this.reconnect(attempt + 1, error instanceof Error ? error.message : String(error));
    }
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.clearTimers();
    this.events.closed(reason);
  }
}
