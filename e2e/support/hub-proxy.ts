// The realtime hub's TCP proxy for the suite (see HUB_PROXY_PORT in env.ts), with a small control API:
//   POST /drop     reset every open connection (new ones pass)
//   POST /refuse   reset every open connection and every new one until /restore
//   POST /restore  pass connections again
//   GET  /connections  {"accepted": n}: connections passed through since the start
import { createServer } from "node:http";
import { TcpProxy } from "@torghut/testing";
import { HUB_PROXY_CONTROL_URL, HUB_PROXY_PORT, SERVER_PORT } from "./env";

const proxy = new TcpProxy("127.0.0.1", SERVER_PORT);
await proxy.start(HUB_PROXY_PORT);

const actions: Record<string, () => void> = {
  "POST /drop": () => {
    proxy.cut();
    proxy.restore();
  },
  "POST /refuse": () => proxy.cut(),
  "POST /restore": () => proxy.restore(),
};

const control = new URL(HUB_PROXY_CONTROL_URL);
createServer((request, response) => {
  const route = `${request.method} ${request.url}`;
  if (route === "GET /connections") {
    response.writeHead(200, { "content-type": "application/json" });
    return void response.end(JSON.stringify({ accepted: proxy.accepted }));
  }
  const action = actions[route];
  if (action === undefined) {
    response.writeHead(404);
    return void response.end();
  }
  action();
  response.writeHead(204);
  response.end();
}).listen(Number(control.port), control.hostname);
