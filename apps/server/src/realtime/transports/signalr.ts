import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { pino } from "pino";
import { WebSocketServer, type WebSocket } from "ws";
import type { Clock, TimerHandle } from "../../clock";
import { systemClock } from "../../clock";
import type { Logger } from "../../logger";
import type { Hub } from "../hub";
import type { Principal } from "../transport";
import type { AdmissionOptions } from "./admission";
import { Admission, bearerToken } from "./admission";
import { SignalrConnection, type SignalrConnectionOptions } from "./signalr-connection";
import { SignalrNegotiator } from "./signalr-negotiate";
import { UpgradeGate } from "./upgrade-gate";

export interface SignalrTransportOptions extends AdmissionOptions {
  /** Verifies a hub token (WS_AUTH_SECRET, the hub audience): resolves to who connects, or rejects with AuthError. */
  authenticate(token: string): Promise<Principal>;
  /** Hub path; negotiate is `{path}/negotiate`. */
  path?: string;
  /** Largest inbound WebSocket message; bigger ones close with 1009. */
  maxPayloadBytes?: number;
  /**
   * Largest outbound message payload (default 64 KiB): the records a client is owed in one flush
   * are joined into one WebSocket message up to this size. 0 sends one message per record.
   */
  maxMessageBytes?: number;
  maxMalformedMessages?: number;
  /** Server pings (SignalR KeepAliveInterval); the JS client's serverTimeout (30 s) expects ≤ 15 s. 0 turns pings off. */
  keepAliveIntervalMs?: number;
  /** Drop a client that sent nothing (its pings included) for this long (ClientTimeoutInterval). */
  clientTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  /** Validity of a negotiated connection token. */
  negotiateTtlMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface SignalrTransport {
  readonly connections: number;
  stopAccepting(): void;
  /** Detach from the HTTP server and stop timers; call after `hub.shutdown`. */
  close(): Promise<void>;
}

/**
 * `/hubs/market-data`: the SignalR JSON hub protocol over WebSockets on the hub. The negotiate POST
 * and the upgrade are admitted like /ws (origin, limits, JWT); after the handshake the connection
 * (signalr-connection.ts) is one more HubClient, so queues, conflation and the 1008 policy are the hub's.
 */
export function attachSignalrTransport(
  server: Server,
  hub: Hub,
  options: SignalrTransportOptions,
): SignalrTransport {
  return new SignalrEndpoint(server, hub, options);
}

class SignalrEndpoint implements SignalrTransport {
  private readonly path: string;
  private readonly negotiatePath: string;
  private readonly clock: Clock;
  private readonly admission: Admission;
  private readonly negotiator: SignalrNegotiator;
  private readonly gate: UpgradeGate;
  private readonly wss: WebSocketServer;
  private readonly live = new Map<WebSocket, SignalrConnection>();
  private readonly connectionOptions: SignalrConnectionOptions;
  private readonly keepAlive: TimerHandle | null;
  private detached = false;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.upgrade(req, socket, head);

  constructor(
    private readonly server: Server,
    hub: Hub,
    options: SignalrTransportOptions,
  ) {
    this.path = options.path ?? "/hubs/market-data";
    this.negotiatePath = `${this.path}/negotiate`;
    const clock = (this.clock = options.clock ?? systemClock);
    const logger = options.logger ?? pino({ level: "silent" });
    const maxPayloadBytes = options.maxPayloadBytes ?? 16 * 1024;
    const verify = (token: string): Promise<Principal> => options.authenticate(token);
    this.admission = new Admission(hub, clock, options);
    this.negotiator = new SignalrNegotiator({
      admission: this.admission,
      clock,
      logger,
      verify,
      ttlMs: options.negotiateTtlMs ?? 15_000,
      maxPending: options.maxConnections ?? 10_000,
    });
    this.gate = new UpgradeGate({
      transport: "signalr",
      admission: this.admission,
      verify,
      logger,
      refusedTokenMessage: "[ws-realtime] signalr refused token",
    });
    this.wss = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes, perMessageDeflate: false });
    this.connectionOptions = {
      hub,
      clock,
      logger,
      verify,
      maxPayloadBytes,
      maxMessageBytes: options.maxMessageBytes ?? 64 * 1024,
      maxMalformedMessages: options.maxMalformedMessages ?? 5,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 15_000,
    };
    const keepAliveMs = options.keepAliveIntervalMs ?? 15_000;
    const clientTimeoutMs = options.clientTimeoutMs ?? 30_000;
    this.keepAlive =
      keepAliveMs > 0
        ? clock.setInterval(() => {
            const now = clock.now();
            for (const connection of this.live.values()) connection.keepAlive(now, clientTimeoutMs);
          }, keepAliveMs)
        : null;
    this.answerNegotiateFirst();
    server.on("upgrade", this.onUpgrade);
  }

  get connections(): number {
    return this.live.size;
  }

  stopAccepting(): void {
    this.admission.stop();
  }

  async close(): Promise<void> {
    this.admission.stop();
    this.detached = true;
    this.negotiator.clear();
    this.server.off("upgrade", this.onUpgrade);
    if (this.keepAlive !== null) this.clock.clearInterval(this.keepAlive);
    for (const ws of this.live.keys()) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const [route, query = ""] = (req.url ?? "/").split("?", 2) as [string, string?];
    if (route !== this.path) return;
    socket.on("error", () => socket.destroy());
    const id = new URLSearchParams(query).get("id");
    const open = this.live.size + this.gate.pending;
    const refusal = id === null ? this.admission.check(req, open) : this.admission.policy(req, open);
    if (refusal !== null) return this.gate.refuse(socket, refusal.status, refusal.reason, refusal.message);
    const negotiated = id === null ? null : this.negotiator.take(id);
    if (negotiated === undefined)
      return this.gate.refuse(socket, 404, "unknown_connection", "No Connection with that ID");
    const token = bearerToken(req);
    if (token === null) return this.gate.refuse(socket, 401, "missing_token", "missing_token");
    this.gate.admit(
      req,
      socket,
      token,
      (principal) => this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, req.socket, principal)),
      (principal) =>
        negotiated !== null && negotiated.sub !== principal.sub
          ? { status: 401, reason: "invalid_token" }
          : null,
    );
  }

  private open(ws: WebSocket, socket: Socket, principal: Principal): void {
    const connection = new SignalrConnection(ws, socket, principal, this.connectionOptions);
    this.live.set(ws, connection);
    ws.on("close", (code) => {
      this.live.delete(ws);
      connection.closed(code);
    });
  }

  /** Negotiate is answered before the server's own request handlers (Fastify), as engine.io does. */
  private answerNegotiateFirst(): void {
    const server = this.server;
    const others = server.listeners("request").slice() as ((
      req: IncomingMessage,
      res: ServerResponse,
    ) => void)[];
    server.removeAllListeners("request");
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (!this.detached && (req.url ?? "/").split("?", 1)[0] === this.negotiatePath) {
        this.negotiator.handle(req, res);
        return;
      }
      for (const listener of others) listener.call(server, req, res);
    });
  }
}
