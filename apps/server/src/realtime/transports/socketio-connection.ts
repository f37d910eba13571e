import type { Socket } from "socket.io";
import type { Clock } from "../../clock";
import type { Logger } from "../../logger";
import type { HubSession } from "../client-session";
import type { Hub } from "../hub";
import type { Principal } from "../transport";
import { CloseCode } from "../transport";
import { SessionCommands } from "./session-commands";
import { SocketIoHubClient, type EngineSocket, type EngineTransport } from "./socketio-client";
import { handleSocketIoEvents } from "./socketio-events";
import { encodeSocketIoControl } from "./socketio-protocol";

export interface SocketIoConnectionOptions {
  hub: Hub;
  clock: Clock;
  logger: Logger;
  verify(token: string): Promise<Principal>;
  maxMalformedMessages: number;
  /** The socket disconnected (after the hub has forgotten it). */
  onGone(socket: Socket): void;
}

/**
 * One admitted socket.io client: joins the hub, hands its events to SessionCommands
 * (socketio-events.ts), and tells the hub whenever any of engine.io's layers drains.
 * Returns null from `open` when the hub is shutting down (the client is told and closed).
 */
export class SocketIoConnection {
  private constructor(
    private readonly socket: Socket,
    private readonly session: HubSession,
    private readonly commands: SessionCommands,
  ) {}

  static open(
    socket: Socket,
    principal: Principal,
    options: SocketIoConnectionOptions,
  ): SocketIoConnection | null {
    const client = new SocketIoHubClient(socket);
    let session: HubSession;
    try {
      session = options.hub.connect(client, principal);
    } catch {
      client.close(CloseCode.GOING_AWAY, "server shutdown");
      return null;
    }
    const commands = new SessionCommands(session, {
      clock: options.clock,
      verify: (token) => options.verify(token),
      control: (message) => session.sendControl(encodeSocketIoControl(message)),
    });
    const connection = new SocketIoConnection(socket, session, commands);
    connection.watchDrains();
    handleSocketIoEvents(socket, session, commands, options.maxMalformedMessages);
    socket.on("disconnect", (reason) => {
      commands.stop();
      session.detached();
      options.onGone(socket);
      options.logger.debug(
        { client: session.id, sub: principal.sub, reason },
        "[ws-realtime] socket.io disconnected",
      );
    });
    options.logger.debug({ client: session.id, sub: principal.sub }, "[ws-realtime] socket.io connected");
    commands.welcome(options.hub.epoch);
    return connection;
  }

  /** engine.io, its transport and (on websocket) the TCP socket each drain on their own. */
  private watchDrains(): void {
    const engine = this.socket.conn as unknown as EngineSocket;
    const writable = (): void => this.session.writable();
    const watch = (transport: EngineTransport): void => {
      transport.on("drain", writable);
      transport.socket?._socket?.on("drain", writable);
    };
    engine.on("drain", writable);
    watch(engine.transport);
    engine.on("upgrade", watch);
  }
}
