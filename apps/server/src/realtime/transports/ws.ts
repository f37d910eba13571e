import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { pino } from "pino";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { Clock } from "../../clock";
import { systemClock } from "../../clock";
import type { Logger } from "../../logger";
import { AuthError, tokenFromRequest } from "../auth";
import type { HubSession } from "../client-session";
import type { Hub } from "../hub";
import type { Principal } from "../transport";
import { CloseCode } from "../transport";
import { wsJsonFormat } from "./ws-protocol";
import { WsConnection } from "./ws-connection";
import { Admission, refuseUpgrade, type AdmissionOptions } from "./admission";
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
 * then speaks the JSON protocol and hands everything else to the hub. Upgrades for other paths
 * are left alone for the other transports on the same server.
 */
export function attachWsTransport(server: Server, hub: Hub, options: WsTransportOptions): WsTransport {
  const path = options.path ?? "/ws";
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: "silent" });
  const admission = new Admission(hub, clock, options);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes ?? 16 * 1024,
    perMessageDeflate: false,
  });
  const alive = new Map<WebSocket, boolean>();
  let pending = 0;

  const refuse = (socket: Duplex, status: number, reason: string, message: string): void =>
    refuseUpgrade(socket, "ws", status, reason, message);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const url = req.url ?? "/";
    const queryAt = url.indexOf("?");
    if ((queryAt === -1 ? url : url.slice(0, queryAt)) !== path) return;
    socket.on("error", () => socket.destroy());
    const ip = admission.address(req);
    const refusal = admission.check(req, alive.size + pending);
    if (refusal !== null) {
      if (refusal.reason === "origin")
        logger.info({ origin: req.headers.origin, ip }, "[ws-realtime] refused origin");
      return refuse(socket, refusal.status, refusal.reason, refusal.message);
    }
    const token = tokenFromRequest(req);
    if (token === null) return refuse(socket, 401, "missing_token", "missing token");
    // Counted from here (authenticating) until the TCP connection closes, whichever way it ends.
    socket.once("close", admission.hold(req));
    pending += 1;
    options
      .authenticate(token)
      .then((principal) => {
        pending -= 1;
        if (socket.destroyed) return;
        if (!admission.open) return refuse(socket, 503, "shutting_down", "server is shutting down");
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req.socket, principal, ip));
      })
      .catch((error: unknown) => {
        pending -= 1;
        const code = error instanceof AuthError ? error.code : "invalid_token";
        logger.info({ ip, code }, "[ws-realtime] refused token");
        refuse(socket, 401, code, code);
      });
  };

  const onConnection = (ws: WebSocket, socket: Socket, initial: Principal, ip: string): void => {
    let session: HubSession;
    try {
      session = hub.connect(new WsHubClient(ws, socket), initial);
    } catch {
      ws.close(CloseCode.GOING_AWAY, "server shutdown");
      return;
    }
    alive.set(ws, true);
    const connection = new WsConnection(session, {
      clock,
      verify: (token) => options.authenticate(token),
      maxMalformedMessages: options.maxMalformedMessages ?? 5,
    });
    ws.on("message", (data: RawData, isBinary: boolean) => connection.receive(data, isBinary));
    ws.on("pong", () => alive.set(ws, true));
    socket.on("drain", () => session.writable());
    ws.on("error", (error) =>
      logger.info({ client: session.id, err: error.message }, "[ws-realtime] socket error"),
    );
    ws.on("close", (code) => {
      connection.closed();
      alive.delete(ws);
      session.detached();
      logger.debug({ client: session.id, sub: session.principal.sub, code }, "[ws-realtime] disconnected");
    });
    logger.debug({ client: session.id, sub: initial.sub, ip }, "[ws-realtime] connected");
    connection.open(hub.epoch);
  };

  const heartbeatMs = options.heartbeatIntervalMs ?? 30_000;
  const heartbeat =
    heartbeatMs > 0
      ? clock.setInterval(() => {
          for (const [ws, answered] of alive) {
            if (!answered) {
              ws.terminate();
              continue;
            }
            alive.set(ws, false);
            ws.ping();
          }
        }, heartbeatMs)
      : null;

  server.on("upgrade", onUpgrade);
  return {
    get connections() {
      return alive.size;
    },
    stopAccepting() {
      admission.stop();
    },
    async close() {
      admission.stop();
      server.off("upgrade", onUpgrade);
      if (heartbeat !== null) clock.clearInterval(heartbeat);
      for (const ws of alive.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
