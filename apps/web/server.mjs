#!/usr/bin/env node
// The web app's server: Next's request handler behind a plain http.Server, so that each request can
// carry the address of its TCP peer. Next itself only offers X-Forwarded-For, which any client may
// send; trusting an authenticating proxy (AUTH_TRUSTED_PROXIES) needs the real peer.
// usage: node server.mjs [--port 3000] [--hostname 0.0.0.0]   (what `next start` takes)
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const port = Number(option("port", "3000"));
const hostname = option("hostname", "0.0.0.0");

// Recorded before defaulting: the app refuses its development operator when launched for production.
process.env.TORGHUT_LAUNCH_NODE_ENV = process.env.NODE_ENV ?? "unset";
process.env.NODE_ENV ??= "production";
// Proves to the app that an x-torghut-peer header came from here: a client cannot know it.
const peerKey = randomBytes(24).toString("base64url");
process.env.TORGHUT_PEER_KEY = peerKey;

const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  req.headers["x-torghut-peer"] = `${peerKey} ${req.socket.remoteAddress ?? ""}`;
  void handle(req, res);
});
server.listen(port, hostname, () => console.log(`[torghut-web] listening on http://${hostname}:${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
