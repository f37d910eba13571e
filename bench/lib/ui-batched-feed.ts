// What a hub that batched its SignalR records would send the browser, for the isolated mode's
// second floor: the same hub and publications, but the records of one flush leave in ONE WebSocket
// message (the SignalR protocol allows several records per message; the page's client splits them),
// instead of one message per record as the transport does today. Bench only: it answers `/batched`
// with a handshake and subscribes itself, no token (loopback, the feed's own process).
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { Hub } from "../../apps/server/src/realtime/hub";
import type { Publication, WireFormat } from "../../apps/server/src/realtime/publication";
import { envelopeJson } from "../../apps/server/src/realtime/transports/envelope";

const recordFormat: WireFormat = {
  name: "bench-signalr-record",
  encode: (p: Publication) => `{"type":1,"target":"publication","arguments":[${envelopeJson(p)}]}\x1e`,
};

/** Serves the batched feed on `paths` (`/batched`, and the hub's own path with `--batched-hub`). */
export function attachBatchedFeed(
  server: Server,
  hub: Hub,
  channels: readonly string[],
  paths: readonly string[],
): void {
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!paths.includes((req.url ?? "").split("?", 1)[0]!)) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send("{}\x1e");
      const session = hub.connect(
        {
          transport: "bench-batched",
          format: recordFormat,
          get bufferedAmount() {
            return ws.bufferedAmount;
          },
          send: (frame) => ws.send(frame),
          sendBatch: (frames) => ws.send(frames.join("")),
          close: (code, reason) => ws.close(code, reason),
          terminate: () => ws.terminate(),
        },
        { sub: "bench-batched", roles: [] },
      );
      for (const channel of channels) hub.subscribe(session, channel);
      ws.on("close", () => session.detached());
    });
  });
}
