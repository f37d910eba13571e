import type { IncomingMessage, Server as HttpServer } from "node:http";
import { pino } from "pino";
import { Server as SocketIoServer, type Socket } from "socket.io";
import type { Clock } from "../../clock";
import { systemClock } from "../../clock";
import type { Logger } from "../../logger";
import { AuthError, tokenFromRequest } from "../auth";
import type { HubSession } from "../client-session";
import type { Hub } from "../hub";
import { realtimeMetrics } from "../metrics";
import type { Frame } from "../publication";
import type { HubClient, Principal } from "../transport";
import { CloseCode } from "../transport";
import type { AdmissionOptions } from "./admission";
import { Admission } from "./admission";
import { SessionCommands } from "./session-commands";
import { handleSocketIoEvents } from "./socketio-events";
import { encodeSocketIoControl, packetOf, socketIoFormat } from "./socketio-protocol";

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

interface EnginePacket {
  data?: string | Buffer | ArrayBuffer;
  options?: { wsPreEncodedFrame?: Buffer[] };
}
/** The `ws` WebSocket under engine.io's websocket transport; `_socket` is its net.Socket. */
interface EngineWebSocket {
  readyState: number;
  bufferedAmount?: number;
  _socket?: { write(chunk: Buffer): boolean; on(event: "drain", listener: () => void): void };
}
interface EngineTransport {
  name: string;
  socket?: EngineWebSocket;
  on(event: "drain", listener: () => void): void;
}
interface EngineSocket {
  readyState: string;
  transport: EngineTransport;
  writeBuffer: EnginePacket[];
  write(data: string, options?: { wsPreEncodedFrame?: Buffer[] }): void;
  close(discard?: boolean): void;
  on(event: "drain", listener: () => void): void;
  on(event: "upgrade", listener: (transport: EngineTransport) => void): void;
}

/**
 * One socket.io client as the hub sees it. Frames go to the engine.io socket directly, so the hub's
 * bounded queue sits in front of engine.io's unbounded write buffer; `bufferedAmount` adds that
 * buffer to the WebSocket's own, which is what the hub's high-water mark needs to see.
 */
class SocketIoHubClient implements HubClient {
  readonly transport = "socketio";
  readonly format = socketIoFormat;

  constructor(private readonly socket: Socket) {}

  private get engine(): EngineSocket {
    return this.socket.conn as unknown as EngineSocket;
  }

  /**
   * engine.io holds packets in its write buffer until the previous WebSocket write completes, which
   * on a healthy connection is the next I/O turn. Those bytes count only once the socket itself is
   * backed up, or a fast client would look slow after every burst. Polling clients drain only when
   * they poll, so there the write buffer always counts.
   */
  get bufferedAmount(): number {
    const engine = this.engine;
    if (engine.transport.name === "websocket") {
      const socketBytes = engine.transport.socket?.bufferedAmount ?? 0;
      return socketBytes === 0 ? 0 : socketBytes + writeBufferBytes(engine);
    }
    return writeBufferBytes(engine);
  }

  /**
   * A publication frame is a complete WebSocket frame: once the connection is on the websocket
   * transport and engine.io holds nothing unsent, it goes straight to the socket, as on /ws, and
   * skips engine.io's per-packet bookkeeping. Otherwise it queues behind engine.io's packets so the
   * order of frames is kept (pings and acks always go through engine.io).
   */
  send(frame: Frame): void {
    const engine = this.engine;
    if (engine.readyState !== "open") return;
    if (typeof frame === "string") return engine.write(frame);
    const direct = this.directSocket();
    if (direct !== undefined) direct.write(frame);
    else engine.write(packetOf(frame), { wsPreEncodedFrame: [frame] });
  }

  /** Runs of frames that may skip engine.io leave in one socket write; the rest go one by one. */
  sendBatch(frames: readonly Frame[]): void {
    let run: Buffer[] = [];
    const flushRun = (): void => {
      const direct = run.length > 1 ? this.directSocket() : undefined;
      if (direct !== undefined) direct.write(Buffer.concat(run));
      else for (const frame of run) this.send(frame);
      run = [];
    };
    for (const frame of frames) {
      if (typeof frame === "string") {
        flushRun();
        this.send(frame);
      } else run.push(frame);
    }
    flushRun();
  }

  /** The TCP socket, when a frame may be written to it without overtaking engine.io's packets. */
  private directSocket(): { write(data: Buffer): boolean } | undefined {
    const engine = this.engine;
    if (engine.readyState !== "open" || engine.writeBuffer.length > 0) return undefined;
    const ws = engine.transport.name === "websocket" ? engine.transport.socket : undefined;
    return ws?._socket !== undefined && ws.readyState === 1 ? ws._socket : undefined;
  }

  /**
   * A `control` close notice, then the engine.io connection closes without a socket.io DISCONNECT
   * packet, so socket.io-client reconnects by itself (reason "transport close"), as a /ws client
   * reconnects after 1001/1008. A slow client's backlog is discarded instead of flushed first.
   */
  close(code: number, reason: string): void {
    const engine = this.engine;
    if (engine.readyState === "open") engine.write(encodeSocketIoControl({ type: "close", code, reason }));
    engine.close(code === CloseCode.POLICY_VIOLATION);
  }

  terminate(): void {
    this.engine.close(true);
  }
}

function writeBufferBytes(engine: EngineSocket): number {
  let bytes = 0;
  for (const packet of engine.writeBuffer) {
    const frame = packet.options?.wsPreEncodedFrame?.[0];
    bytes +=
      frame !== undefined
        ? frame.length
        : typeof packet.data === "string"
          ? packet.data.length
          : (packet.data?.byteLength ?? 0);
  }
  return bytes;
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
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? pino({ level: "silent" });
  const admission = new Admission(hub, clock, options);
  const verify = (token: string): Promise<Principal> => options.authenticate(token);
  const sockets = new Set<Socket>();
  let pending = 0;
  /** engine.io connections that hold (or are authenticating) their one hub session. */
  const claimed = new WeakSet<object>();
  const origins = options.allowedOrigins ?? [];

  const upgradeListenersBefore = new Set(server.listeners("upgrade"));
  const io = new SocketIoServer(server, {
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
      const refusal = admission.attempt(req, "engine.io ");
      if (refusal === null) return callback(null, true);
      realtimeMetrics.rejectedConnections.inc({ transport: "socketio", reason: refusal.reason });
      callback(refusal.message, false);
    },
  });
  const engineUpgradeListeners = server
    .listeners("upgrade")
    .filter((listener) => !upgradeListenersBefore.has(listener));

  io.use((socket, next) => {
    const refuse = (code: string, message?: string): void => {
      realtimeMetrics.rejectedConnections.inc({ transport: "socketio", reason: code });
      next(Object.assign(new Error(code), { data: message === undefined ? { code } : { code, message } }));
    };
    // Every CONNECT packet is an attempt of its own: one engine.io connection may send many, and each
    // would otherwise cost a token check (and, once valid, a hub session) without touching the rate.
    const refusal =
      admission.policy(socket.request, sockets.size + pending) ?? admission.attempt(socket.request);
    if (refusal !== null) return refuse(refusal.reason, refusal.message);
    const engine = socket.conn;
    if (claimed.has(engine)) return refuse("already_connected", "one session per connection");
    const token = handshakeToken(socket);
    if (token === null) return refuse("missing_token");
    claimed.add(engine);
    const release = admission.hold(socket.request);
    engine.once("close", release);
    pending += 1;
    verify(token)
      .then((principal) => {
        pending -= 1;
        socket.data = { principal };
        next();
      })
      .catch((error: unknown) => {
        pending -= 1;
        claimed.delete(engine);
        release();
        const code = error instanceof AuthError ? error.code : "invalid_token";
        logger.info({ ip: admission.address(socket.request), code }, "[ws-realtime] socket.io refused token");
        refuse(code);
      });
  });

  io.on("connection", (socket: Socket) => {
    const { principal } = socket.data as { principal: Principal };
    const client = new SocketIoHubClient(socket);
    let session: HubSession;
    try {
      session = hub.connect(client, principal);
    } catch {
      client.close(CloseCode.GOING_AWAY, "server shutdown");
      return;
    }
    sockets.add(socket);
    const commands = new SessionCommands(session, {
      clock,
      verify,
      control: (message) => session.sendControl(encodeSocketIoControl(message)),
    });
    const engine = socket.conn as unknown as EngineSocket;
    const writable = (): void => session.writable();
    const watch = (transport: EngineTransport): void => {
      transport.on("drain", writable);
      transport.socket?._socket?.on("drain", writable);
    };
    engine.on("drain", writable);
    watch(engine.transport);
    engine.on("upgrade", watch);
    handleSocketIoEvents(socket, session, commands, options.maxMalformedMessages ?? 5);
    socket.on("disconnect", (reason) => {
      commands.stop();
      claimed.delete(socket.conn);
      sockets.delete(socket);
      session.detached();
      logger.debug(
        { client: session.id, sub: principal.sub, reason },
        "[ws-realtime] socket.io disconnected",
      );
    });
    logger.debug({ client: session.id, sub: principal.sub }, "[ws-realtime] socket.io connected");
    commands.welcome(hub.epoch);
  });

  return {
    io,
    get connections() {
      return sockets.size;
    },
    stopAccepting() {
      admission.stop();
    },
    async close() {
      admission.stop();
      for (const socket of sockets) socket.disconnect(true);
      // Not io.close(): that would close the shared HTTP server too.
      io.engine.close();
      for (const listener of engineUpgradeListeners)
        server.off("upgrade", listener as (...args: unknown[]) => void);
      await Promise.resolve();
    },
  };
}

/** `auth: { token }` first (socket.io-client), then `Authorization: Bearer`, then `?token=`. */
function handshakeToken(socket: Socket): string | null {
  const auth = socket.handshake.auth as { token?: unknown } | undefined;
  if (typeof auth?.token === "string" && auth.token.length > 0) return auth.token;
  return tokenFromRequest(socket.request);
}
