/**
 * One stream socket: the connected → auth → subscribe conversation and its error replies
 * (market-protocols.md §1.3–1.5). Errors leave the socket open except the auth timeout (404) and
 * slow client (407), which close it, as far as the reference says.
 */
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import type { Timeline, TimerHandle } from "../clock";
import type { Counters } from "../counters";
import type { FaultBook } from "../faults";
import { errorFrame, subscriptionFrame, successFrame } from "./messages";
import type { Session, SessionRegistry } from "./sessions";
import { parseChannelLists, SubscriptionSet } from "./subscriptions";

export interface KeyPlan {
  secret: string;
  feeds: ReadonlySet<string>;
}

export interface StreamContext {
  timeline: Timeline;
  now(): number;
  sessions: SessionRegistry;
  counters: Counters;
  faults: FaultBook;
  keys: ReadonlyMap<string, KeyPlan>;
  authTimeoutMs: number;
}

const IEX_SYMBOL_LIMIT = 30;

export class StreamConnection {
  readonly subscriptions = new SubscriptionSet();
  session: Session | null = null;
  /** Set when the server itself ends the socket, so the session does not linger. */
  private closingByServer = false;
  private authTimer: TimerHandle | null;
  private closed = false;

  constructor(
    readonly socket: WebSocket,
    readonly feed: string,
    request: IncomingMessage,
    private readonly ctx: StreamContext,
    private readonly onClosed: (connection: StreamConnection) => void,
  ) {
    socket.on("message", (data, isBinary) => this.receive(isBinary ? null : rawText(data)));
    socket.on("close", (code) => this.closedWith(code));
    socket.on("error", () => undefined);
    this.authTimer = ctx.timeline.schedule(ctx.now() + ctx.authTimeoutMs, () => this.authWindowElapsed());
    this.send(successFrame("connected"), 1);
    const keyId = header(request, "apca-api-key-id");
    const secret = header(request, "apca-api-secret-key");
    if (keyId !== undefined || secret !== undefined) this.authenticate(keyId, secret);
  }

  get authenticated(): boolean {
    return this.session !== null;
  }

  get isTestStream(): boolean {
    return this.feed === "test";
  }

  send(frame: string, messages: number): boolean {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return false;
    this.socket.send(frame);
    this.ctx.counters.framesSent++;
    this.ctx.counters.messagesSent += messages;
    return true;
  }

  sendError(code: number): void {
    this.ctx.counters.error(code);
    this.send(errorFrame(code), 1);
  }

  /** 407 then close (the error may not even get through to a client that is not reading). */
  closeAsSlowClient(reallySlow: boolean): void {
    if (this.closed) return;
    this.sendError(407);
    this.closingByServer = true;
    if (reallySlow) this.socket.terminate();
    else this.socket.close(1008, "slow client");
  }

  /** Ends the socket without a close handshake (fault `drop`/`down`). */
  terminate(): void {
    this.socket.terminate();
  }

  private receive(text: string | null): void {
    const message = parseMessage(text);
    if (!message) return this.sendError(400);
    switch (message.action) {
      case "auth":
        return this.authenticate(message.key, message.secret);
      case "subscribe":
      case "unsubscribe":
        return this.changeSubscriptions(message.action, message);
      default:
        return this.sendError(400);
    }
  }

  private authenticate(key: unknown, secret: unknown): void {
    if (this.session) return this.sendError(403);
    if (typeof key !== "string" || typeof secret !== "string") return this.sendError(402);
    if (this.ctx.faults.active("alpaca", "auth-fail")) return this.sendError(402);
    const plan = this.ctx.keys.get(key);
    if (!plan || plan.secret !== secret) return this.sendError(402);
    if (!plan.feeds.has(this.feed)) return this.sendError(409);
    if (this.ctx.faults.active("alpaca", "connection-limit")) return this.sendError(406);
    const session = this.ctx.sessions.open(key, this.feed);
    if (!session) return this.sendError(406);
    this.session = session;
    this.ctx.timeline.cancel(this.authTimer);
    this.authTimer = null;
    this.send(successFrame("authenticated"), 1);
  }

  private changeSubscriptions(action: "subscribe" | "unsubscribe", message: Record<string, unknown>): void {
    if (!this.session) return this.sendError(401);
    const parsed = parseChannelLists(message);
    if (!parsed.ok) return this.sendError(400);
    if (action === "subscribe") {
      const limit = this.feed === "iex" ? IEX_SYMBOL_LIMIT : Number.POSITIVE_INFINITY;
      if (!this.subscriptions.subscribe(parsed.lists, limit)) return this.sendError(405);
    } else {
      this.subscriptions.unsubscribe(parsed.lists);
    }
    this.send(subscriptionFrame(this.subscriptions.view(), this.isTestStream), 1);
  }

  private authWindowElapsed(): void {
    this.authTimer = null;
    if (this.session || this.closed) return;
    this.sendError(404);
    this.closingByServer = true;
    this.socket.close(1008, "auth timeout");
  }

  private closedWith(code: number): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.timeline.cancel(this.authTimer);
    if (this.session) {
      // 1006: the TCP connection went away without a close frame.
      if (code === 1006 && !this.closingByServer) this.ctx.sessions.closeUncleanly(this.session);
      else this.ctx.sessions.closeCleanly(this.session);
    }
    this.onClosed(this);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseMessage(
  text: string | null,
): (Record<string, unknown> & { action?: unknown; key?: unknown; secret?: unknown }) | null {
  if (text === null) return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function rawText(data: Buffer | ArrayBuffer | Buffer[]): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}
