/** The one HTTP + WebSocket server: routes requests to the Alpaca, Yahoo and control handlers. */
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { Duplex } from "node:stream";
import { sendJson } from "./http";

export type RouteHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
) => Promise<boolean> | boolean;

export interface ServerParts {
  routes: RouteHandler[];
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
}

export function createSimServer(parts: ServerParts): Server {
  const server = createServer((req, res) => {
    void route(parts, req, res);
  });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => undefined);
    if (!parts.upgrade(req, socket, head)) {
      socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    }
  });
  // Keep-alive sockets must not hold close() open in tests.
  server.keepAliveTimeout = 1_000;
  return server;
}

async function route(parts: ServerParts, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://sim");
  try {
    for (const handler of parts.routes) if (await handler(req, res, url)) return;
    sendJson(res, 404, { message: "not found" });
  } catch (error) {
    if (!res.headersSent)
      sendJson(res, 500, { message: error instanceof Error ? error.message : "internal error" });
    else res.destroy();
  }
}
