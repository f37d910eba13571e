import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { pino } from "pino";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { Clock, TimerHandle } from "../../clock";
import { systemClock } from "../../clock";
import type { Logger } from "../../logger";
import { tokenFromRequest } from "../auth";
import type { HubSession } from "../client-session";
import type { Hub } from "../hub";
import type { Principal } from "../transport";
import { CloseCode } from "../transport";
import { wsJsonFormat } from "./ws-protocol";
import { WsConnection } from "./ws-connection";
import { Admission, type AdmissionOptions } from "./admission";
import { UpgradeGate } from "./upgrade-gate";
import { SocketHubClient } from "./socket-client";

export interface WsTransportOptions extends AdmissionOptions {
  /** Verifies a hub token (WS_AUTH_SECRET, the hub audience): resolves to who connects, or rejects with AuthError. */
  authenticate(token: string): Promise<Principal>;
  path?: string;
  /** Largest inbound frame; bigger ones close the socket with 1009. */
  maxPayloadBytes?: number;
  /** Malformed client messages tolerated (each answered with an error) before closing with 1008. */
  maxMalformedMessages?: number;
  /** Server pings; a client that misses one full interval is dropped. 0 turns it off. */
  heartbeatIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface WsTransport {
  readonly connections: number;
  /** Refuse new upgrades with 503 (the hub's shutdown does this too). */
  stopAccepting(): void;
  /** Detach from the HTTP server and stop timers; call after `hub.shutdown`. */
  close(): Promise<void>;
}

/** Adapts one `ws` socket to the hub's HubClient port. */
class WsHubClient extends SocketHubClient {
  readonly transport = "ws";
  readonly format = wsJsonFormat;
}

/**
 * The `/ws` endpoint: authenticates the upgrade (JWT, origin, limits) before any WebSocket exists,
 * then hands each socket to a WsConnection (the JSON protocol) and the hub. Upgrades for other
 * paths are left alone for the other transports on the same server.
 */
export function attachWsTransport(server: Server, hub: Hub, options: WsTransportOptions): WsTransport {
  return new WsEndpoint(server, hub, options);
}

class WsEndpoint implements WsTransport {
  private readonly path: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly admission: Admission;
  private readonly gate: UpgradeGate;
  private readonly wss: WebSocketServer;
  /** Open sockets, and whether each answered the last heartbeat ping. */
  private readonly alive = new Map<WebSocket, boolean>();
  private readonly heartbeat: TimerHandle | null;
  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void =>
    this.upgrade(req, socket, head);

  constructor(
    private readonly server: Server,
    private readonly hub: Hub,
    private readonly options: WsTransportOptions,
  ) {
    this.path = options.path ?? "/ws";
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.admission = new Admission(hub, this.clock, options);
    this.gate = new UpgradeGate({
      transport: "ws",
      admission: this.admission,
      verify: (token) => options.authenticate(token),
      logger: this.logger,
      refusedTokenMessage: "[ws-realtime] refused token",
    });
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxPayloadBytes ?? 16 * 1024,
      perMessageDeflate: false,
    });
    const heartbeatMs = options.heartbeatIntervalMs ?? 30_000;
    this.heartbeat = heartbeatMs > 0 ? this.clock.setInterval(() => this.pingAll(), heartbeatMs) : null;
    server.on("upgrade", this.onUpgrade);
  }

  get connections(): number {
    return this.alive.size;
  }

  stopAccepting(): void {
    this.admission.stop();
  }

  async close(): Promise<void> {
    this.admission.stop();
    this.server.off("upgrade", this.onUpgrade);
    if (this.heartbeat !== null) this.clock.clearInterval(this.heartbeat);
    for (const ws of this.alive.keys()) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    if ((queryAt === -1 ? url : url.slice(0, queryAt)) !== this.path) return;
    socket.on("error", () => socket.destroy());
    const ip = this.admission.address(req);
    const refusal = this.admission.check(req, this.alive.size + this.gate.pending);
    if (refusal !== null) {
      if (refusal.reason === "origin")
        this.logger.info({ origin: req.headers.origin, ip }, "[ws-realtime] refused origin");
      return this.gate.refuse(socket, refusal.status, refusal.reason, refusal.message);
    }
    const token = tokenFromRequest(req);
    if (token === null) return this.gate.refuse(socket, 401, "missing_token", "missing token");
    this.gate.admit(req, socket, token, (principal) =>
      this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, req.socket, principal, ip)),
    );
  }

  private open(ws: WebSocket, socket: Socket, initial: Principal, ip: string): void {
    let session: HubSession;
    try {
      session = this.hub.connect(new WsHubClient(ws, socket), initial);
    } catch {
      ws.close(CloseCode.GOING_AWAY, "server shutdown");
      return;
    }
    const { logger } = this;
    this.alive.set(ws, true);
    const connection = new WsConnection(session, {
      clock: this.clock,
      verify: (token) => this.options.authenticate(token),
      maxMalformedMessages: this.options.maxMalformedMessages ?? 5,
    });
    ws.on("message", (data: RawData, isBinary: boolean) => connection.receive(data, isBinary));
    ws.on("pong", () => this.alive.set(ws, true));
    socket.on("drain", () => session.writable());
    ws.on("error", (error) =>
      logger.info({ client: session.id, err: error.message }, "[ws-realtime] socket error"),
    );
    ws.on("close", (code) => {
      connection.closed();
      this.alive.delete(ws);
      session.detached();
      logger.debug({ client: session.id, sub: session.principal.sub, code }, "[ws-realtime] disconnected");
    });
    logger.debug({ client: session.id, sub: initial.sub, ip }, "[ws-realtime] connected");
    connection.open(this.hub.epoch);
  }

  /** A socket that did not answer the previous ping is dropped; the others are pinged again. */
  private pingAll(): void {
    for (const [ws, answered] of this.alive) {
      if (!answered) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }
}
