#!/usr/bin/env node
// The web app's server: Next's request handler behind a plain http.Server, so that each request can
// carry the address of its TCP peer. Next itself only offers X-Forwarded-For, which any client may
// send; trusting an authenticating proxy (AUTH_TRUSTED_PROXIES) needs the real peer.
// Production runs the copy that scripts/web-build.mjs puts beside the standalone build's server.js
// (.next/standalone/apps/web/server.mjs), with only the node_modules `next build` traced.
// usage: node server.mjs [--port 3000] [--hostname 0.0.0.0]   (or PORT / HOSTNAME, as server.js takes)
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : args[at + 1];
};
const port = Number(option("port", process.env.PORT ?? "3000"));
const hostname = option("hostname", process.env.HOSTNAME ?? "0.0.0.0");

// Recorded before defaulting: the app refuses its development operator when launched for production.
process.env.TORGHUT_LAUNCH_NODE_ENV = process.env.NODE_ENV ?? "unset";
process.env.NODE_ENV ??= "production";
// Proves to the app that an x-torghut-peer header came from here: a client cannot know it.
const peerKey = randomBytes(24).toString("base64url");
process.env.TORGHUT_PEER_KEY = peerKey;

// In the standalone build there is no next.config.ts: the config it was built with is in
// required-server-files.json, handed to Next the way the generated server.js does.
const serverFiles = join(dir, ".next", "required-server-files.json");
const standalone = !existsSync(join(dir, "next.config.ts")) && existsSync(serverFiles);
if (standalone) {
  const { config } = JSON.parse(readFileSync(serverFiles, "utf8"));
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
}

const { default: next } = await import("next");
const app = next({ dev: false, dir, hostname, port });
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
