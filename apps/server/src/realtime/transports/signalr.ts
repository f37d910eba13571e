import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { pino } from "pino";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { Clock, TimerHandle } from "../../clock";
import { systemClock } from "../../clock";
import type { Logger } from "../../logger";
import { AuthError } from "../auth";
import type { HubSession } from "../client-session";
import type { Hub } from "../hub";
import type { Principal } from "../transport";
import { CloseCode } from "../transport";
import type { AdmissionOptions } from "./admission";
import { Admission, bearerToken, refuseUpgrade } from "./admission";
import { SessionCommands } from "./session-commands";
import { SocketHubClient } from "./socket-client";
import { handleSignalrRecord } from "./signalr-dispatch";
import { SignalrNegotiator } from "./signalr-negotiate";
import {
  encodeClose,
  encodeControlInvocation,
  HANDSHAKE_FAILED,
  HANDSHAKE_OK,
  handshakeError,
  handshakeSchema,
  PING_FRAME,
  RecordReader,
  signalrJsonFormat,
} from "./signalr-protocol";

export interface SignalrTransportOptions extends AdmissionOptions {
  /** Verifies a hub token (WS_AUTH_SECRET, the hub audience): resolves to who connects, or rejects with AuthError. */
  authenticate(token: string): Promise<Principal>;
  /** Hub path; negotiate is `{path}/negotiate`. */
  path?: string;
  /** Largest inbound WebSocket message; bigger ones close with 1009. */
  maxPayloadBytes?: number;
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

/** Close codes the client may reconnect after (SignalR `allowReconnect`): shutdown, slow, expired. */
const RECONNECTABLE = new Set<number>([
  CloseCode.GOING_AWAY,
  CloseCode.POLICY_VIOLATION,
  CloseCode.TOKEN_EXPIRED,
]);

/** One SignalR connection as the hub sees it: pre-framed records written straight to the socket. */
class SignalrHubClient extends SocketHubClient {
  readonly transport = "signalr";
  readonly format = signalrJsonFormat;
  allowReconnect = true;

  /** Tells the client why (a `control` close notice, then the SignalR Close message), then closes the socket. */
  override close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN) {
      this.socket.write(encodeControlInvocation({ type: "close", code, reason }));
      this.socket.write(encodeClose(`${reason} (${code})`, this.allowReconnect && RECONNECTABLE.has(code)));
    }
    super.close(code, reason);
  }
}

interface Connection {
  client: SignalrHubClient;
  principal: Principal;
  session: HubSession | null;
  commands: SessionCommands | null;
  lastSeen: number;
  handshakeTimer: TimerHandle | null;
}

/**
 * `/hubs/market-data`: the SignalR JSON hub protocol over WebSockets on the hub. The negotiate POST
 * and the upgrade are admitted like /ws (origin, limits, JWT); after the handshake the connection
 * is one more HubClient, so queues, conflation and the 1008 policy are the hub's.
 */
export function attachSignalrTransport(
  server: Server,
  hub: Hub,
  options: SignalrTransportOptions,
): SignalrTransport {
  const path = options.path ?? "/hubs/market-data";
  const negotiatePath = `${path}/negotiate`;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: "silent" });
  const maxPayload = options.maxPayloadBytes ?? 16 * 1024;
  const maxMalformed = options.maxMalformedMessages ?? 5;
  const clientTimeoutMs = options.clientTimeoutMs ?? 30_000;
  const admission = new Admission(hub, clock, options);
  const verify = (token: string): Promise<Principal> => options.authenticate(token);
  const negotiator = new SignalrNegotiator({
    admission,
    clock,
    logger,
    verify,
    ttlMs: options.negotiateTtlMs ?? 15_000,
    maxPending: options.maxConnections ?? 10_000,
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload, perMessageDeflate: false });
  const connections = new Map<WebSocket, Connection>();
  let pending = 0;
  let detached = false;

  const refuse = (socket: Duplex, status: number, reason: string, message: string): void =>
    refuseUpgrade(socket, "signalr", status, reason, message);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const [route, query = ""] = (req.url ?? "/").split("?", 2) as [string, string?];
    if (route !== path) return;
    socket.on("error", () => socket.destroy());
    const id = new URLSearchParams(query).get("id");
    const refusal =
      id === null
        ? admission.check(req, connections.size + pending)
        : admission.policy(req, connections.size + pending);
    if (refusal !== null) return refuse(socket, refusal.status, refusal.reason, refusal.message);
    const negotiated = id === null ? null : negotiator.take(id);
    if (negotiated === undefined)
      return refuse(socket, 404, "unknown_connection", "No Connection with that ID");
    const token = bearerToken(req);
    if (token === null) return refuse(socket, 401, "missing_token", "missing_token");
    // Counted from here (authenticating) until the TCP connection closes, whichever way it ends.
    socket.once("close", admission.hold(req));
    pending += 1;
    verify(token)
      .then((principal) => {
        pending -= 1;
        if (socket.destroyed) return;
        if (!admission.open) return refuse(socket, 503, "shutting_down", "server is shutting down");
        if (negotiated !== null && negotiated.sub !== principal.sub)
          return refuse(socket, 401, "invalid_token", "invalid_token");
        wss.handleUpgrade(req, socket, head, (ws) => onOpen(ws, req.socket, principal));
      })
      .catch((error: unknown) => {
        pending -= 1;
        const code = error instanceof AuthError ? error.code : "invalid_token";
        logger.info({ ip: admission.address(req), code }, "[ws-realtime] signalr refused token");
        refuse(socket, 401, code, code);
      });
  };

  const onOpen = (ws: WebSocket, socket: Socket, principal: Principal): void => {
    const connection: Connection = {
      client: new SignalrHubClient(ws, socket),
      principal,
      session: null,
      commands: null,
      lastSeen: clock.now(),
      handshakeTimer: clock.setTimeout(() => {
        logger.info({ sub: principal.sub }, "[ws-realtime] signalr handshake timed out");
        ws.close(HANDSHAKE_FAILED, "handshake timeout");
      }, options.handshakeTimeoutMs ?? 15_000),
    };
    connections.set(ws, connection);
    const reader = new RecordReader(maxPayload);
    let malformed = 0;

    const onMalformed = (why: string): void => {
      malformed += 1;
      connection.commands?.error("bad_request", why);
      if (malformed > maxMalformed && connection.session !== null) {
        connection.client.allowReconnect = false;
        connection.session.close(CloseCode.POLICY_VIOLATION, "too many malformed messages");
      }
    };

    ws.on("message", (data: RawData, isBinary: boolean) => {
      connection.lastSeen = clock.now();
      const records = reader.push(rawToString(data, isBinary));
      if (records === null) return void ws.close(CloseCode.TOO_BIG, "record too large");
      for (const record of records) {
        if (connection.session === null) {
          if (!handshake(record)) return;
          continue;
        }
        handleSignalrRecord(record, {
          session: connection.session,
          commands: connection.commands!,
          ws,
          onMalformed,
        });
      }
    });

    const handshake = (record: string): boolean => {
      let request: ReturnType<typeof handshakeSchema.safeParse> | null;
      try {
        request = handshakeSchema.safeParse(JSON.parse(record));
      } catch {
        request = null;
      }
      if (connection.handshakeTimer !== null) clock.clearTimeout(connection.handshakeTimer);
      connection.handshakeTimer = null;
      if (request?.success !== true || request.data.protocol !== "json" || request.data.version !== 1) {
        ws.send(handshakeError("only the json protocol, version 1, is supported"));
        ws.close(HANDSHAKE_FAILED, "handshake failed");
        return false;
      }
      try {
        connection.session = hub.connect(connection.client, principal);
      } catch {
        ws.send(handshakeError("server is shutting down"));
        ws.close(CloseCode.GOING_AWAY, "server shutdown");
        return false;
      }
      ws.send(HANDSHAKE_OK);
      const session = connection.session;
      connection.commands = new SessionCommands(session, {
        clock,
        verify,
        control: (message) => session.sendControl(encodeControlInvocation(message)),
      });
      connection.commands.welcome(hub.epoch);
      logger.debug({ client: session.id, sub: principal.sub }, "[ws-realtime] signalr connected");
      return true;
    };

    socket.on("drain", () => connection.session?.writable());
    ws.on("error", (error) => logger.info({ err: error.message }, "[ws-realtime] signalr socket error"));
    ws.on("close", (code) => {
      if (connection.handshakeTimer !== null) clock.clearTimeout(connection.handshakeTimer);
      connection.commands?.stop();
      connections.delete(ws);
      connection.session?.detached();
      logger.debug(
        { client: connection.session?.id, sub: principal.sub, code },
        "[ws-realtime] signalr disconnected",
      );
    });
  };

  const keepAliveMs = options.keepAliveIntervalMs ?? 15_000;
  const keepAlive =
    keepAliveMs > 0
      ? clock.setInterval(() => {
          const now = clock.now();
          for (const [ws, connection] of connections) {
            if (connection.session === null || connection.session.closed) continue;
            if (now - connection.lastSeen > clientTimeoutMs) {
              connection.client.allowReconnect = true;
              connection.session.close(CloseCode.GOING_AWAY, "client timeout");
              continue;
            }
            // Frames in the hub queue either leave with this turn's flush (a ping adds nothing) or wait
            // for a full socket to drain (a ping would only add to it): ping only an idle connection.
            if (connection.session.queuedMessages === 0 && ws.readyState === ws.OPEN)
              connection.client.send(PING_FRAME);
          }
        }, keepAliveMs)
      : null;

  const onRequest = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (detached) return false;
    const route = (req.url ?? "/").split("?", 1)[0];
    if (route !== negotiatePath) return false;
    negotiator.handle(req, res);
    return true;
  };
  // Negotiate is answered before the server's own request handlers (Fastify), as engine.io does.
  const others = server.listeners("request").slice() as ((
    req: IncomingMessage,
    res: ServerResponse,
  ) => void)[];
  server.removeAllListeners("request");
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (onRequest(req, res)) return;
    for (const listener of others) listener.call(server, req, res);
  });
  server.on("upgrade", onUpgrade);

  return {
    get connections() {
      return connections.size;
    },
    stopAccepting() {
      admission.stop();
    },
    async close() {
      admission.stop();
      detached = true;
      negotiator.clear();
      server.off("upgrade", onUpgrade);
      if (keepAlive !== null) clock.clearInterval(keepAlive);
      for (const ws of connections.keys()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function rawToString(data: RawData, _isBinary: boolean): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}
