import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import { pino } from "pino";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { Clock, TimerHandle } from "../../clock";
import { systemClock } from "../../clock";
import type { Logger } from "../../logger";
import { AuthError, tokenFromRequest } from "../auth";
import type { HubSession } from "../client-session";
import type { Hub } from "../hub";
import type { Principal } from "../transport";
import { CloseCode } from "../transport";
import {
  wsClientMessageSchema as clientMessageSchema,
  type WsClientMessage as ClientMessage,
  type WsServerControlMessage as ServerControlMessage,
} from "@torghut/contracts";
import { encodeControl, wsJsonFormat } from "./ws-protocol";
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

const MAX_TIMER_MS = 2 ** 31 - 1;

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
  const maxMalformed = options.maxMalformedMessages ?? 5;
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
    let malformed = 0;
    let expiry: TimerHandle | null = null;
    const control = (message: ServerControlMessage): void => session.sendControl(encodeControl(message));

    const armExpiry = (): void => {
      if (expiry !== null) clock.clearTimeout(expiry);
      expiry = null;
      const exp = session.principal.exp;
      if (exp === undefined) return;
      const due = exp * 1000 - clock.now();
      expiry = clock.setTimeout(
        () => {
          if (exp * 1000 > clock.now()) return armExpiry();
          control({
            type: "error",
            code: "token_expired",
            message: "token expired; send a refresh before exp",
          });
          session.close(CloseCode.TOKEN_EXPIRED, "token expired");
        },
        Math.min(Math.max(0, due), MAX_TIMER_MS),
      );
    };

    const handle = (message: ClientMessage): void => {
      const id = message.id === undefined ? {} : { id: message.id };
      switch (message.type) {
        case "subscribe":
          for (const channel of message.channels) {
            const outcome = session.subscribe(channel, message.recover?.[channel]);
            if (!outcome.ok) {
              control({ type: "error", code: outcome.code, message: outcome.message, channel, ...id });
              continue;
            }
            const recovered = outcome.recovered === undefined ? {} : { recovered: outcome.recovered };
            control({
              type: "subscribed",
              channel,
              epoch: outcome.epoch,
              offset: outcome.offset,
              ...recovered,
              ...id,
            });
            session.sendPublications(outcome.replay);
          }
          return;
        case "unsubscribe":
          for (const channel of message.channels) {
            session.unsubscribe(channel);
            control({ type: "unsubscribed", channel, ...id });
          }
          return;
        case "ping":
          control({ type: "pong", serverTime: clock.now(), ...id });
          return;
        case "refresh":
          options
            .authenticate(message.token)
            .then((principal) => {
              if (principal.sub !== session.principal.sub) {
                control({
                  type: "error",
                  code: "invalid_token",
                  message: "refresh must keep the same sub",
                  ...id,
                });
                return;
              }
              session.principal = principal;
              armExpiry();
              control({ type: "refreshed", exp: principal.exp ?? null, ...id });
            })
            .catch((error: unknown) => {
              const code = error instanceof AuthError ? error.code : "invalid_token";
              control({ type: "error", code, message: "refresh token rejected", ...id });
            });
          return;
      }
    };

    const onMessage = (data: RawData, isBinary: boolean): void => {
      let parsed: ReturnType<typeof clientMessageSchema.safeParse> | null = null;
      if (!isBinary) {
        try {
          parsed = clientMessageSchema.safeParse(JSON.parse(rawToString(data)));
        } catch {
          parsed = null;
        }
      }
      if (parsed?.success === true) return handle(parsed.data);
      malformed += 1;
      control({
        type: "error",
        code: "bad_request",
        message: parsed === null ? "expected a JSON text message" : "unknown or invalid message",
      });
      if (malformed > maxMalformed) session.close(CloseCode.POLICY_VIOLATION, "too many malformed messages");
    };

    ws.on("message", onMessage);
    ws.on("pong", () => alive.set(ws, true));
    socket.on("drain", () => session.writable());
    ws.on("error", (error) =>
      logger.info({ client: session.id, err: error.message }, "[ws-realtime] socket error"),
    );
    ws.on("close", (code) => {
      if (expiry !== null) clock.clearTimeout(expiry);
      alive.delete(ws);
      session.detached();
      logger.debug({ client: session.id, sub: session.principal.sub, code }, "[ws-realtime] disconnected");
    });
    logger.debug({ client: session.id, sub: initial.sub, ip }, "[ws-realtime] connected");
    control({ type: "welcome", sub: initial.sub, epoch: hub.epoch, exp: initial.exp ?? null });
    armExpiry();
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

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}
