import type { Socket } from "node:net";
import type { RawData, WebSocket } from "ws";
import { rawToString } from "./raw-data";
import type { Clock, TimerHandle } from "../../clock";
import type { Logger } from "../../logger";
import type { HubSession } from "../client-session";
import type { Hub } from "../hub";
import type { Principal } from "../transport";
import { CloseCode } from "../transport";
import { SessionCommands } from "./session-commands";
import { handleSignalrRecord } from "./signalr-dispatch";
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
import { SocketHubClient } from "./socket-client";
import { FrameJoiner, joinPayloads, payloadStart } from "./frame-join";

/** Close codes the client may reconnect after (SignalR `allowReconnect`): shutdown, slow, expired. */
const RECONNECTABLE = new Set<number>([
  CloseCode.GOING_AWAY,
  CloseCode.POLICY_VIOLATION,
  CloseCode.TOKEN_EXPIRED,
]);

/** One per process, as socket-client.ts's: clients owed the same run of records share its message. */
const recordJoiner = new FrameJoiner(joinPayloads);

/**
 * One SignalR connection as the hub sees it: pre-framed records written straight to the socket.
 * The records of one flush leave as ONE WebSocket message (the JSON hub protocol allows several
 * records per message, each ending with 0x1E): the browser pays its per-message cost once per flush
 * instead of once per record, which at a 500-symbol watchlist's 16,000 records/s was its limit.
 */
class SignalrHubClient extends SocketHubClient {
  readonly transport = "signalr";
  readonly format = signalrJsonFormat;
  allowReconnect = true;

  constructor(
    ws: WebSocket,
    socket: Socket,
    private readonly maxMessageBytes: number,
  ) {
    super(ws, socket);
  }

  /**
   * Whole records only, up to `maxMessageBytes` of payload per message (a record larger than that
   * alone is still sent, as its own message). 0 sends each record as its own message.
   */
  protected override writeRun(frames: readonly Buffer[], from: number, to: number): void {
    if (this.maxMessageBytes <= 0) return super.writeRun(frames, from, to);
    let start = from;
    let bytes = 0;
    for (let i = from; i < to; i++) {
      const payload = frames[i]!.length - payloadStart(frames[i]!);
      if (i > start && bytes + payload > this.maxMessageBytes) {
        this.writeJoined(frames, start, i, recordJoiner);
        start = i;
        bytes = 0;
      }
      bytes += payload;
    }
    this.writeJoined(frames, start, to, recordJoiner);
  }

  /** Tells the client why (a `control` close notice, then the SignalR Close message), then closes the socket. */
  override close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN) {
      this.socket.write(encodeControlInvocation({ type: "close", code, reason }));
      this.socket.write(encodeClose(`${reason} (${code})`, this.allowReconnect && RECONNECTABLE.has(code)));
    }
    super.close(code, reason);
  }
}

export interface SignalrConnectionOptions {
  hub: Hub;
  clock: Clock;
  logger: Logger;
  verify(token: string): Promise<Principal>;
  maxPayloadBytes: number;
  /** Largest server→client message payload: the records of one flush are joined up to this. */
  maxMessageBytes: number;
  maxMalformedMessages: number;
  handshakeTimeoutMs: number;
}

/**
 * One client of `/hubs/market-data` once upgraded: the JSON handshake, then hub records handed to
 * SessionCommands (signalr-dispatch.ts). Joins the hub only after a good handshake.
 */
export class SignalrConnection {
  private readonly client: SignalrHubClient;
  private readonly reader: RecordReader;
  private session: HubSession | null = null;
  private commands: SessionCommands | null = null;
  private handshakeTimer: TimerHandle | null;
  private malformed = 0;
  private lastSeen: number;

  constructor(
    private readonly ws: WebSocket,
    socket: Socket,
    private readonly principal: Principal,
    private readonly options: SignalrConnectionOptions,
  ) {
    this.client = new SignalrHubClient(ws, socket, options.maxMessageBytes);
    this.reader = new RecordReader(options.maxPayloadBytes);
    this.lastSeen = options.clock.now();
    this.handshakeTimer = options.clock.setTimeout(() => {
      options.logger.info({ sub: principal.sub }, "[ws-realtime] signalr handshake timed out");
      ws.close(HANDSHAKE_FAILED, "handshake timeout");
    }, options.handshakeTimeoutMs);
    ws.on("message", (data: RawData) => this.receive(data));
    socket.on("drain", () => this.session?.writable());
    ws.on("error", (error) =>
      options.logger.info({ err: error.message }, "[ws-realtime] signalr socket error"),
    );
  }

  receive(data: RawData): void {
    this.lastSeen = this.options.clock.now();
    const records = this.reader.push(rawToString(data));
    if (records === null) return void this.ws.close(CloseCode.TOO_BIG, "record too large");
    for (const record of records) {
      if (this.session === null || this.commands === null) {
        if (!this.handshake(record)) return;
        continue;
      }
      handleSignalrRecord(record, {
        session: this.session,
        commands: this.commands,
        ws: this.ws,
        onMalformed: (why) => this.onMalformed(why),
      });
    }
  }

  /**
   * The keep-alive turn: drops a client silent for longer than `clientTimeoutMs`, pings an idle one.
   * Frames in the hub queue either leave with this turn's flush (a ping adds nothing) or wait for
   * a full socket to drain (a ping would only add to it): only an idle connection is pinged.
   */
  keepAlive(now: number, clientTimeoutMs: number): void {
    const session = this.session;
    if (session === null || session.closed) return;
    if (now - this.lastSeen > clientTimeoutMs) {
      this.client.allowReconnect = true;
      session.close(CloseCode.GOING_AWAY, "client timeout");
      return;
    }
    if (session.queuedMessages === 0 && this.ws.readyState === this.ws.OPEN) this.client.send(PING_FRAME);
  }

  /** The socket closed: timers stop and the hub forgets the session. */
  closed(code: number): void {
    this.stopHandshakeTimer();
    this.commands?.stop();
    this.session?.detached();
    this.options.logger.debug(
      { client: this.session?.id, sub: this.principal.sub, code },
      "[ws-realtime] signalr disconnected",
    );
  }

  private onMalformed(why: string): void {
    this.malformed += 1;
    this.commands?.error("bad_request", why);
    if (this.malformed > this.options.maxMalformedMessages && this.session !== null) {
      this.client.allowReconnect = false;
      this.session.close(CloseCode.POLICY_VIOLATION, "too many malformed messages");
    }
  }

  private handshake(record: string): boolean {
    let request: ReturnType<typeof handshakeSchema.safeParse> | null;
    try {
      request = handshakeSchema.safeParse(JSON.parse(record));
    } catch {
      request = null;
    }
    this.stopHandshakeTimer();
    if (request?.success !== true || request.data.protocol !== "json" || request.data.version !== 1) {
      this.ws.send(handshakeError("only the json protocol, version 1, is supported"));
      this.ws.close(HANDSHAKE_FAILED, "handshake failed");
      return false;
    }
    const { hub, clock, logger } = this.options;
    let session: HubSession;
    try {
      session = hub.connect(this.client, this.principal);
    } catch {
      this.ws.send(handshakeError("server is shutting down"));
      this.ws.close(CloseCode.GOING_AWAY, "server shutdown");
      return false;
    }
    this.session = session;
    this.ws.send(HANDSHAKE_OK);
    this.commands = new SessionCommands(session, {
      clock,
      verify: (token) => this.options.verify(token),
      control: (message) => session.sendControl(encodeControlInvocation(message)),
    });
    this.commands.welcome(hub.epoch);
    logger.debug({ client: session.id, sub: this.principal.sub }, "[ws-realtime] signalr connected");
    return true;
  }

  private stopHandshakeTimer(): void {
    if (this.handshakeTimer !== null) this.options.clock.clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }
}
