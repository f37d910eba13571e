// Test support for the realtime suites: a real HTTP server on port 0 with the hub and /ws attached,
// and a real `ws` client that records what it receives. Not imported by production code.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import WebSocket from "ws";
import { eventually } from "@torghut/testing";
import { makeTrade } from "./make-trade";
import { HUB_AUDIENCE, signToken, TokenVerifier } from "../../src/realtime/auth";
import { Hub, type HubOptions } from "../../src/realtime/hub";
import {
  attachWsTransport,
  type WsTransport,
  type WsTransportOptions,
} from "../../src/realtime/transports/ws";

export const TEST_SECRET = "test-secret-with-enough-entropy-0123456789";
/** What the transports verify hub tokens with in these suites (the server builds it from config). */
export const testHubTokens = new TokenVerifier({ secrets: [TEST_SECRET] }).forAudience(HUB_AUDIENCE);

export interface RealtimeServer {
  hub: Hub;
  server: Server;
  transport: WsTransport;
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startRealtimeServer(
  hubOptions: HubOptions = {},
  transportOptions: Partial<WsTransportOptions> = {},
): Promise<RealtimeServer> {
  const hub = new Hub(hubOptions);
  const server = createServer((_req, res) => res.writeHead(404).end());
  const transport = attachWsTransport(server, hub, {
    authenticate: testHubTokens,
    connectRatePerIp: 0,
    ...transportOptions,
  });
  const { port, close } = await listenOnFreePort(server, hub, () => transport.close());
  return { hub, server, transport, port, url: `ws://127.0.0.1:${port}/ws`, close };
}

/**
 * Listens on 127.0.0.1, port 0. `close` shuts the hub down (unless a test already did), then closes
 * the transports and the server.
 */
export async function listenOnFreePort(
  server: Server,
  hub: Hub,
  closeTransports: () => Promise<unknown>,
): Promise<{ port: number; close: () => Promise<void> }> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      if (!hub.shuttingDown) await hub.shutdown(1000);
      await closeTransports();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ServerMessage {
  type: string;
  channel?: string;
  offset?: number;
  epoch?: string;
  publishedAt?: number;
  recovered?: boolean;
  code?: string;
  data?: Record<string, unknown>;
  [key: string]: unknown;
}

/** What a test client received, with the queries every realtime suite asks of it. */
export class ReceivedMessages {
  readonly messages: ServerMessage[] = [];

  of(type: string, channel?: string): ServerMessage[] {
    return this.messages.filter((m) => m.type === type && (channel === undefined || m.channel === channel));
  }

  async waitFor(type: string, count = 1, channel?: string, timeoutMs = 5000): Promise<ServerMessage[]> {
    return eventually(
      () => {
        const found = this.of(type, channel);
        return found.length >= count ? found : undefined;
      },
      `${count} × ${type}${channel === undefined ? "" : ` on ${channel}`}`,
      timeoutMs,
    );
  }
}

export class TestClient extends ReceivedMessages {
  closeCode: number | null = null;
  closeReason = "";

  private constructor(readonly ws: WebSocket) {
    super();
    ws.on("message", (data: Buffer) => this.messages.push(JSON.parse(data.toString()) as ServerMessage));
    ws.on("close", (code, reason) => {
      this.closeCode = code;
      this.closeReason = reason.toString();
    });
  }

  static async connect(
    url: string,
    options: { token?: string; headers?: Record<string, string> } = {},
  ): Promise<TestClient> {
    const headers = { ...options.headers };
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const ws = new WebSocket(url, { headers });
    const client = new TestClient(ws);
    await once(ws, "open");
    await client.waitFor("welcome");
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  async subscribe(
    channels: string[],
    recover?: Record<string, { offset: number; epoch: string }>,
  ): Promise<void> {
    const before = this.of("subscribed").length + this.of("error").length;
    this.send({ type: "subscribe", channels, ...(recover === undefined ? {} : { recover }) });
    await eventually(
      () => this.of("subscribed").length + this.of("error").length >= before + channels.length,
      "subscribe acks",
    );
  }

  async closed(): Promise<number> {
    return eventually(() => this.closeCode ?? undefined, "close");
  }

  close(): void {
    this.ws.terminate();
  }
}

/** The HTTP status a refused upgrade answered with. */
export async function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  const ws = new WebSocket(url, { headers });
  ws.on("error", () => undefined);
  const [, response] = (await once(ws, "unexpected-response")) as [
    unknown,
    { statusCode: number; resume(): void },
  ];
  response.resume();
  ws.terminate();
  return response.statusCode;
}

export function token(sub = "trader", extra: Partial<Parameters<typeof signToken>[0]> = {}): Promise<string> {
  return signToken({ secret: TEST_SECRET, sub, ttl: "1h", ...extra });
}

/** A trade on `symbol` at `price` (its tradeId is the price); `extra` may add fields a trade lacks (padding). */
export function trade(symbol: string, price: number, extra: Record<string, unknown> = {}) {
  return {
    ...makeTrade({
      symbol,
      price,
      size: 100,
      tradeId: String(price),
      eventTime: "2026-01-05T15:00:00.000000000Z",
    }),
    ...extra,
  };
}
