import type { IncomingMessage, Server as HttpServer } from "node:http";
import { pino } from "pino";
import { Server as SocketIoServer, type Socket } from "socket.io";
import type { Clock } from "../../clock";
import { systemClock } from "../../clock";
import type { Logger } from "../../logger";
import { AuthError, tokenFromRequest } from "../auth";
import type { Hub } from "../hub";
import { realtimeMetrics } from "../metrics";
import type { Principal } from "../transport";
import type { AdmissionOptions } from "./admission";
import { Admission } from "./admission";
import { SocketIoConnection, type SocketIoConnectionOptions } from "./socketio-connection";

export interface SocketIoTransportOptions extends AdmissionOptions {
  /** Verifies a hub token (WS_AUTH_SECRET, the hub audience): resolves to who connects, or rejects with AuthError. */
  authenticate(token: string): Promise<Principal>;
  path?: string;
  /** Allow HTTP long-polling before the WebSocket upgrade (default true, as socket.io-client expects). */
  allowPolling?: boolean;
  /** Largest inbound packet. */
  maxPayloadBytes?: number;
  maxMalformedMessages?: number;
  clock?: Clock;
  logger?: Logger;
}

export interface SocketIoTransport {
  readonly io: SocketIoServer;
  readonly connections: number;
  stopAccepting(): void;
  /** Disconnect everyone and detach from the HTTP server (which stays open); call after `hub.shutdown`. */
  close(): Promise<void>;
}

/**
 * `/socket.io` on the same HTTP server. `destroyUpgrade: false` leaves /ws and SignalR upgrades to
 * their handlers. Only the per-IP connect rate runs in `allowRequest`, so a flood is refused before
 * any engine.io session exists; shutdown, origin, the connection limit and the JWT run in a
 * middleware, because a refused engine.io handshake reaches the client only as "websocket error" or
 * "xhr poll error" (the body is not exposed), whereas a middleware refusal arrives as `connect_error`
 * naming the reason. Then each socket is one more HubClient.
 */
export function attachSocketIoTransport(
  server: HttpServer,
  hub: Hub,
  options: SocketIoTransportOptions,
): SocketIoTransport {
  return new SocketIoEndpoint(server, hub, options);
}

type Next = (error?: Error) => void;

class SocketIoEndpoint implements SocketIoTransport {
  readonly io: SocketIoServer;
  private readonly admission: Admission;
  private readonly logger: Logger;
  private readonly verify: (token: string) => Promise<Principal>;
  private readonly sockets = new Set<Socket>();
  private pending = 0;
  /** engine.io connections that hold (or are authenticating) their one hub session. */
  private readonly claimed = new WeakSet<object>();
  private readonly engineUpgradeListeners: ((...args: unknown[]) => void)[];
  private readonly connectionOptions: SocketIoConnectionOptions;

  constructor(
    private readonly server: HttpServer,
    hub: Hub,
    options: SocketIoTransportOptions,
  ) {
    const clock: Clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ level: "silent" });
    this.admission = new Admission(hub, clock, options);
    this.verify = (token) => options.authenticate(token);
    const upgradeListenersBefore = new Set(server.listeners("upgrade"));
    this.io = this.createServer(options);
    this.engineUpgradeListeners = server
      .listeners("upgrade")
      .filter((listener) => !upgradeListenersBefore.has(listener)) as ((...args: unknown[]) => void)[];
    this.connectionOptions = {
      hub,
      clock,
      logger: this.logger,
      verify: this.verify,
      maxMalformedMessages: options.maxMalformedMessages ?? 5,
      onGone: (socket) => {
        this.claimed.delete(socket.conn);
        this.sockets.delete(socket);
      },
    };
    this.io.use((socket, next) => this.admit(socket, next));
    this.io.on("connection", (socket: Socket) => {
      const { principal } = socket.data as { principal: Principal };
      if (SocketIoConnection.open(socket, principal, this.connectionOptions) !== null)
        this.sockets.add(socket);
    });
  }

  get connections(): number {
    return this.sockets.size;
  }

  stopAccepting(): void {
    this.admission.stop();
  }

  async close(): Promise<void> {
    this.admission.stop();
    for (const socket of this.sockets) socket.disconnect(true);
    // Not io.close(): that would close the shared HTTP server too.
    this.io.engine.close();
    for (const listener of this.engineUpgradeListeners) this.server.off("upgrade", listener);
    await Promise.resolve();
  }

  private createServer(options: SocketIoTransportOptions): SocketIoServer {
    const origins = options.allowedOrigins ?? [];
    return new SocketIoServer(this.server, {
      path: options.path ?? "/socket.io",
      serveClient: false,
      destroyUpgrade: false,
      perMessageDeflate: false,
      httpCompression: false,
      transports: options.allowPolling === false ? ["websocket"] : ["polling", "websocket"],
      maxHttpBufferSize: options.maxPayloadBytes ?? 16 * 1024,
      // Only configured origins get CORS headers: reflecting any Origin with credentials would let
      // every site on the web drive a browser's polling session.
      cors: origins.length > 0 ? { origin: [...origins], credentials: true } : { origin: false },
      allowRequest: (
        req: IncomingMessage,
        callback: (err: string | null | undefined, success: boolean) => void,
      ) => {
        const refusal = this.admission.attempt(req, "engine.io ");
        if (refusal === null) return callback(null, true);
        realtimeMetrics.rejectedConnections.inc({ transport: "socketio", reason: refusal.reason });
        callback(refusal.message, false);
      },
    });
  }

  /** The middleware every CONNECT passes: limits, one session per engine.io connection, the JWT. */
  private admit(socket: Socket, next: Next): void {
    const refuse = (code: string, message?: string): void => {
      realtimeMetrics.rejectedConnections.inc({ transport: "socketio", reason: code });
      next(Object.assign(new Error(code), { data: message === undefined ? { code } : { code, message } }));
    };
    // Every CONNECT packet is an attempt of its own: one engine.io connection may send many, and each
    // would otherwise cost a token check (and, once valid, a hub session) without touching the rate.
    const { admission } = this;
    const refusal =
      admission.policy(socket.request, this.sockets.size + this.pending) ?? admission.attempt(socket.request);
    if (refusal !== null) return refuse(refusal.reason, refusal.message);
    const engine = socket.conn;
    if (this.claimed.has(engine)) return refuse("already_connected", "one session per connection");
    const token = handshakeToken(socket);
    if (token === null) return refuse("missing_token");
    this.claimed.add(engine);
    const release = admission.hold(socket.request);
    engine.once("close", release);
    this.pending += 1;
    this.verify(token)
      .then((principal) => {
        this.pending -= 1;
        socket.data = { principal };
        next();
      })
      .catch((error: unknown) => {
        this.pending -= 1;
        this.claimed.delete(engine);
        release();
        const code = error instanceof AuthError ? error.code : "invalid_token";
        this.logger.info(
          { ip: admission.address(socket.request), code },
          "[ws-realtime] socket.io refused token",
        );
        refuse(code);
      });
  }
}

/** `auth: { token }` first (socket.io-client), then `Authorization: Bearer`, then `?token=`. */
function handshakeToken(socket: Socket): string | null {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === "string" && auth.token.length > 0) return auth.token;
  return tokenFromRequest(socket.request);
}
