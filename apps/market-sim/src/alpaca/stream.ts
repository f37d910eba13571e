/**
 * The Alpaca stream endpoints (/v2/iex, /v2/sip, /v2/delayed_sip, /v2/test): accepts upgrades,
 * fans each slot's events out to the sockets that subscribed, batching many messages per frame,
 * and applies the stream faults (down, 429, drop, silent, stall, malformed, future-timestamps,
 * slow-client).
 */
import { STATUS_CODES, type IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { FaultSpec } from "../api";
import type { MarketEvent } from "../market/events";
import { deriveSeed, Prng } from "../market/prng";
import type { StreamContext } from "./connection";
import { StreamConnection } from "./connection";
import { channelOf, eventJson } from "./messages";
import type { TradeLedger } from "./trade-ledger";

export const FEEDS = ["iex", "sip", "delayed_sip", "test"] as const;
const MAX_MESSAGES_PER_FRAME = 1_000;
const SLOW_CLIENT_CHECK_MS = 100;
const DELAY_MS = 15 * 60_000;
/** Bound on what the delayed feed keeps in memory. */
const MAX_DELAYED_EVENTS = 2_000_000;

export interface StreamOptions {
  seed: number;
  slowClientBytes: number;
  slowClientGraceMs: number;
  /** Records each trade delivered (tests counting trade ids against stored rows). */
  ledger: TradeLedger | null;
}

export class AlpacaStream {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: true });
  private readonly connections = new Set<StreamConnection>();
  private readonly junk: Prng;
  private readonly overLimitSince = new WeakMap<StreamConnection, number>();
  private readonly watchdog: NodeJS.Timeout;
  private delayed: { at: number; events: MarketEvent[] }[] = [];
  private lastDripAt = Number.NEGATIVE_INFINITY;
  private delayedCount = 0;

  constructor(
    private readonly ctx: StreamContext,
    private readonly options: StreamOptions,
  ) {
    this.junk = new Prng(deriveSeed(options.seed, "malformed"));
    ctx.faults.onChange((spec, phase) => this.faultChanged(spec, phase));
    this.watchdog = setInterval(() => this.checkSlowClients(), SLOW_CLIENT_CHECK_MS);
    this.watchdog.unref();
  }

  /** Returns false when the path is not a stream endpoint (the caller answers 404). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const feed = /^\/v2\/([a-z_]+)\/?$/.exec(new URL(request.url ?? "/", "http://sim").pathname)?.[1];
    if (!feed || !(FEEDS as readonly string[]).includes(feed)) return false;
    if (this.ctx.faults.active("alpaca", "down")) {
      socket.end("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return true;
    }
    // Too many connection attempts: refused before any session exists, so no connection is counted
    // and open sockets carry on. No Retry-After: nothing says Alpaca sends one, so a client must
    // not depend on it.
    if (this.ctx.faults.active("alpaca", "429")) {
      socket.end("HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
      return true;
    }
    const refusal = this.ctx.faults.active("alpaca", "upgrade-status")?.status;
    if (refusal !== undefined) {
      const reason = STATUS_CODES[refusal] ?? "Refused";
      socket.end(`HTTP/1.1 ${refusal} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return true;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.ctx.counters.connectionsOpened++;
      if (this.ctx.faults.active("alpaca", "drop")) {
        ws.terminate();
        return;
      }
      const connection = new StreamConnection(ws, feed, request, this.ctx, (c) => this.connections.delete(c));
      this.connections.add(connection);
      if (this.ctx.faults.active("alpaca", "stall")) pause(connection, true);
    });
    return true;
  }

  /**
   * Runs on a short real-time interval: a client whose unsent backlog has stayed over the limit
   * for the whole grace period is not keeping up, so it gets 407 and is cut off. (Node only
   * releases a socket's write queue once a whole batch is flushed, so the backlog of a reader
   * that keeps up still looks flat for a moment; hence a grace period rather than one look.)
   */
  checkSlowClients(): void {
    const now = Date.now();
    for (const connection of this.connections) {
      if (connection.socket.bufferedAmount <= this.options.slowClientBytes) {
        this.overLimitSince.delete(connection);
        continue;
      }
      const since = this.overLimitSince.get(connection);
      if (since === undefined) this.overLimitSince.set(connection, now);
      else if (now - since >= this.options.slowClientGraceMs) connection.closeAsSlowClient(true);
    }
  }

  publish(slotEvents: MarketEvent[]): void {
    const now = this.ctx.now();
    if (this.hasDelayedListeners()) this.keepForDelayedFeed(now, slotEvents);
    if (this.ctx.faults.active("alpaca", "silent")) return;
    const events = this.drip(now, slotEvents);
    const slow = this.ctx.faults.active("alpaca", "slow-client") !== undefined;
    const shiftMs = (this.ctx.faults.active("alpaca", "future-timestamps")?.seconds ?? 0) * 1000;
    const texts: (string | undefined)[] = new Array<string | undefined>(events.length);
    for (const connection of this.connections) {
      if (!connection.authenticated || connection.feed === "delayed_sip") continue;
      if (slow) {
        connection.closeAsSlowClient(false);
        continue;
      }
      this.deliver(connection, events, texts, shiftMs);
    }
    this.releaseDelayed(now, shiftMs);
  }

  /** The `drip` fault: one data message every `seconds` s instead of the flow. */
  private drip(now: number, events: MarketEvent[]): MarketEvent[] {
    const drip = this.ctx.faults.active("alpaca", "drip");
    if (drip === undefined) return events;
    if (now - this.lastDripAt < (drip.seconds ?? 1) * 1000) return [];
    const first = events.find((e) => e.T === "t");
    if (first === undefined) return [];
    this.lastDripAt = now;
    return [first];
  }

  close(): void {
    clearInterval(this.watchdog);
    for (const connection of this.connections) connection.terminate();
    this.wss.close();
  }

  openConnections(): number {
    return this.connections.size;
  }

  private deliver(
    connection: StreamConnection,
    events: MarketEvent[],
    texts: (string | undefined)[],
    shiftMs: number,
  ): void {
    if (connection.subscriptions.isEmpty()) return;
    const malformed = this.ctx.faults.active("alpaca", "malformed") !== undefined;
    let batch: string[] = [];
    for (let k = 0; k < events.length; k++) {
      const event = events[k]!;
      if (!connection.subscriptions.wants(channelOf(event), event.S)) continue;
      batch.push((texts[k] ??= eventJson(event, shiftMs)));
      if (event.T === "t") this.options.ledger?.record(event.S, event.i, Date.now());
      if (batch.length >= MAX_MESSAGES_PER_FRAME) {
        this.sendBatch(connection, batch, malformed);
        batch = [];
      }
    }
    if (batch.length > 0) this.sendBatch(connection, batch, malformed);
  }

  private sendBatch(connection: StreamConnection, batch: string[], malformed: boolean): void {
    if (malformed) this.corrupt(connection, batch);
    connection.send(`[${batch.join(",")}]`, batch.length);
  }

  /** Mixes broken frames and broken fields in among valid messages (fault `malformed`). */
  private corrupt(connection: StreamConnection, batch: string[]): void {
    const roll = this.junk.next();
    if (roll < 0.25) {
      connection.send('[{"T":"t","S":"AAPL","p":1', 1);
    } else if (roll < 0.5) {
      batch.push(
        '{"T":"t","S":"AAPL","i":"x","x":"V","p":"not-a-price","s":-5,"c":null,"z":"C","t":"yesterday"}',
      );
    } else if (roll < 0.75) {
      batch.push('{"T":"q","bp":1.5,"ap":1.4,"t":"2024-13-45T99:99:99Z"}');
    } else {
      batch.push('{"T":"zz","S":"AAPL","note":"unknown message type"}');
    }
  }

  private hasDelayedListeners(): boolean {
    for (const c of this.connections) if (c.feed === "delayed_sip" && c.authenticated) return true;
    return false;
  }

  private keepForDelayedFeed(now: number, events: MarketEvent[]): void {
    this.delayed.push({ at: now, events });
    this.delayedCount += events.length;
    while (this.delayedCount > MAX_DELAYED_EVENTS && this.delayed.length > 0)
      this.delayedCount -= this.delayed.shift()!.events.length;
  }

  /** The delayed SIP feed: the same events, fifteen minutes later. */
  private releaseDelayed(now: number, shiftMs: number): void {
    while (this.delayed.length > 0 && this.delayed[0]!.at + DELAY_MS <= now) {
      const { events } = this.delayed.shift()!;
      this.delayedCount -= events.length;
      const texts: (string | undefined)[] = new Array<string | undefined>(events.length);
      for (const c of this.connections)
        if (c.feed === "delayed_sip" && c.authenticated) this.deliver(c, events, texts, shiftMs);
    }
  }

  private faultChanged(spec: FaultSpec, phase: "start" | "end"): void {
    if (spec.target !== "alpaca") return;
    if (phase === "start" && ["drop", "down", "upgrade-status"].includes(spec.fault)) {
      for (const connection of this.connections) connection.terminate();
      if (spec.fault === "down") this.ctx.sessions.reset();
    }
    if (spec.fault === "stall")
      for (const connection of this.connections) pause(connection, phase === "start");
    if (phase === "start" && spec.fault === "slow-client") {
      for (const connection of this.connections)
        if (connection.authenticated) connection.closeAsSlowClient(false);
    }
  }
}

/** Stops (or resumes) reading the client's bytes: no messages handled, no pongs sent. */
function pause(connection: StreamConnection, paused: boolean): void {
  const raw = (connection.socket as unknown as { _socket?: { pause(): void; resume(): void } })._socket;
  if (paused) raw?.pause();
  else raw?.resume();
}
