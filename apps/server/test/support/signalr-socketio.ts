// Test support for the SignalR and Socket.IO suites: one real HTTP server on port 0 with the hub and
// all three transports (/ws, /hubs/market-data, /socket.io), and recording wrappers around the real
// clients (@microsoft/signalr, socket.io-client). Not imported by production code.
import { createServer, type Server } from "node:http";
import { HttpTransportType, HubConnectionBuilder, LogLevel, type HubConnection } from "@microsoft/signalr";
import { io as connectSocketIo, type Socket as SocketIoClient } from "socket.io-client";
import { Hub, type HubOptions } from "../../src/realtime/hub";
import { listenOnFreePort, ReceivedMessages, testHubTokens, type ServerMessage } from "./realtime";
import {
  attachSignalrTransport,
  type SignalrTransport,
  type SignalrTransportOptions,
} from "../../src/realtime/transports/signalr";
import {
  attachSocketIoTransport,
  type SocketIoTransport,
  type SocketIoTransportOptions,
} from "../../src/realtime/transports/socketio";
import { attachWsTransport, type WsTransport } from "../../src/realtime/transports/ws";
import { AddressLedger, type AdmissionOptions } from "../../src/realtime/transports/admission";
import { systemClock } from "../../src/clock";

export interface TransportsServer {
  hub: Hub;
  server: Server;
  ws: WsTransport;
  signalr: SignalrTransport;
  socketio: SocketIoTransport;
  port: number;
  base: string;
  close(): Promise<void>;
}

export async function startTransportsServer(
  hubOptions: HubOptions = {},
  options: {
    signalr?: Partial<SignalrTransportOptions>;
    socketio?: Partial<SocketIoTransportOptions>;
    /** Applied to all three, with one AddressLedger between them (as compose/realtime.ts does). */
    admission?: AdmissionOptions;
  } = {},
): Promise<TransportsServer> {
  const hub = new Hub(hubOptions);
  // A stand-in for Fastify: the transports must leave other requests to it.
  const server = createServer((_req, res) => res.writeHead(404).end("fallthrough"));
  const clock = hubOptions.clock === undefined ? {} : { clock: hubOptions.clock };
  const admissionOptions = { connectRatePerIp: 0, ...options.admission };
  const shared = {
    ...admissionOptions,
    ledger: new AddressLedger(hubOptions.clock ?? systemClock, admissionOptions),
  };
  const ws = attachWsTransport(server, hub, { authenticate: testHubTokens, ...shared, ...clock });
  const signalr = attachSignalrTransport(server, hub, {
    authenticate: testHubTokens,
    ...shared,
    ...clock,
    ...options.signalr,
  });
  const socketio = attachSocketIoTransport(server, hub, {
    authenticate: testHubTokens,
    ...shared,
    ...clock,
    ...options.socketio,
  });
  const { port, close } = await listenOnFreePort(server, hub, () =>
    Promise.all([ws.close(), signalr.close(), socketio.close()]),
  );
  return { hub, server, ws, signalr, socketio, port, base: `http://127.0.0.1:${port}`, close };
}

/** Records what a real @microsoft/signalr HubConnection receives on `publication` and `control`. */
export class SignalrTestClient extends ReceivedMessages {
  closedWith: Error | undefined | null = null;

  private constructor(readonly connection: HubConnection) {
    super();
    connection.on("publication", (message: ServerMessage) => this.messages.push(message));
    connection.on("control", (message: ServerMessage) => this.messages.push(message));
    connection.onclose((error) => (this.closedWith = error));
  }

  static create(
    base: string,
    token: string | null,
    options: { skipNegotiation?: boolean } = {},
  ): SignalrTestClient {
    const connection = new HubConnectionBuilder()
      .withUrl(`${base}/hubs/market-data`, {
        ...(token === null ? {} : { accessTokenFactory: () => token }),
        ...(options.skipNegotiation === true
          ? { skipNegotiation: true, transport: HttpTransportType.WebSockets }
          : {}),
      })
      .configureLogging(LogLevel.None)
      .build();
    return new SignalrTestClient(connection);
  }

  static async connect(
    base: string,
    token: string,
    options: { skipNegotiation?: boolean } = {},
  ): Promise<SignalrTestClient> {
    const client = SignalrTestClient.create(base, token, options);
    await client.connection.start();
    await client.waitFor("welcome");
    return client;
  }

  /** Counts the WebSocket messages under the client from now on (records per message are not its concern). */
  countMessages(): { messages: number } {
    const counter = { messages: 0 };
    const transport = (
      this.connection as unknown as {
        connection: { transport: { _webSocket: { on(event: "message", listener: () => void): void } } };
      }
    ).connection.transport;
    transport._webSocket.on("message", () => (counter.messages += 1));
    return counter;
  }

  /** The private `ws` socket under the client's WebSocket transport (to stop reading in slow-client tests). */
  rawSocket(): { pause(): void; resume(): void } {
    const transport = (
      this.connection as unknown as {
        connection: { transport: { _webSocket: { _socket: { pause(): void; resume(): void } } } };
      }
    ).connection.transport;
    return transport._webSocket._socket;
  }
}

/** Records what a real socket.io-client socket receives on `publication` and `control`. */
export class SocketIoTestClient extends ReceivedMessages {
  disconnectReason: string | null = null;

  private constructor(readonly socket: SocketIoClient) {
    super();
    socket.on("publication", (message: ServerMessage) => this.messages.push(message));
    socket.on("control", (message: ServerMessage) => this.messages.push(message));
    socket.on("disconnect", (reason) => (this.disconnectReason = reason));
  }

  static create(
    base: string,
    auth: Record<string, unknown> = {},
    transports: ("websocket" | "polling")[] = ["websocket"],
  ): SocketIoTestClient {
    return new SocketIoTestClient(
      connectSocketIo(base, { auth, transports, reconnection: false, forceNew: true }),
    );
  }

  static async connect(
    base: string,
    token: string,
    transports?: ("websocket" | "polling")[],
  ): Promise<SocketIoTestClient> {
    const client = SocketIoTestClient.create(base, { token }, transports);
    await new Promise<void>((resolve, reject) => {
      client.socket.once("connect", resolve);
      client.socket.once("connect_error", reject);
    });
    await client.waitFor("welcome");
    return client;
  }

  /** The reason a refused connection got (connect_error's message). */
  static async refusal(base: string, auth: Record<string, unknown>): Promise<string> {
    const client = SocketIoTestClient.create(base, auth);
    const error = await new Promise<Error>((resolve) => client.socket.once("connect_error", resolve));
    client.socket.close();
    return error.message;
  }

  emit<T>(event: string, ...args: unknown[]): Promise<T> {
    return this.socket.timeout(5000).emitWithAck(event, ...args) as Promise<T>;
  }

  rawSocket(): { pause(): void; resume(): void } {
    const engine = (
      this.socket.io as unknown as {
        engine: { transport: { ws: { _socket: { pause(): void; resume(): void } } } };
      }
    ).engine;
    return engine.transport.ws._socket;
  }
}
