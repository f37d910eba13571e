// A minimal WebSocket client for the fan-out benchmark: raw TCP, hand-written handshake and frame
// parser, no per-message objects. Thousands of them fit in one process without the client side
// becoming the bottleneck we measure. Loopback only.
import { connect, type Socket } from "node:net";
import { hr } from "./lib/fanout";

/**
 * `hub` is our hub over /ws; `hub-signalr` and `hub-socketio` are the same hub over
 * /hubs/market-data and /socket.io; `socketio` (plain io.emit) and `naive` are the baselines;
 * `floor` writes one pre-built frame to every socket and nothing else: what the kernel alone costs.
 */
export type Protocol = "hub" | "hub-signalr" | "hub-socketio" | "naive" | "socketio" | "floor";

const PATHS: Record<Protocol, string> = {
  hub: "/ws",
  "hub-signalr": "/hubs/market-data",
  "hub-socketio": "/socket.io/?EIO=4&transport=websocket",
  naive: "/naive",
  floor: "/naive",
  socketio: "/socket.io/?EIO=4&transport=websocket",
};
const RS = "\x1e";

export interface RawClientStats {
  received: number;
  latencies: Float64Array;
  latencyCount: number;
}

const BENCH_KEY = Buffer.from('"benchT":');

/** A masked client text frame with a zero mask key (legal, and the payload stays as is). */
function clientFrame(text: string, opcode = 0x1): Buffer {
  const payload = Buffer.from(text);
  if (payload.length >= 126) throw new Error("bench control frames are short");
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | payload.length, 0, 0, 0, 0]), payload]);
}

export function openRawClient(
  port: number,
  protocol: Protocol,
  stats: RawClientStats,
  token: string,
  onReady: () => void,
  onFail: (error: Error) => void,
): Socket {
  const path = PATHS[protocol];
  const ourHub = protocol.startsWith("hub");
  /** Only SignalR puts several publications in one message; the others stop at the first. */
  const joined = protocol === "hub-signalr";
  const socket = connect({ host: "127.0.0.1", port });
  let buffer: Buffer = Buffer.alloc(0);
  let upgraded = false;
  let ready = false;
  socket.setNoDelay(true);
  socket.on("error", (error) => {
    if (!ready) onFail(error);
  });
  socket.on("connect", () => {
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n` +
        (ourHub ? `Authorization: Bearer ${token}\r\n` : "") +
        "\r\n",
    );
  });
  const markReady = (): void => {
    if (!ready) {
      ready = true;
      onReady();
    }
  };
  const onText = (frame: Buffer, start: number, end: number): void => {
    if (protocol === "socketio" || protocol === "hub-socketio") {
      const first = frame[start];
      if (first === 0x30 /* 0 open */) return void socket.write(clientFrame("40"));
      if (first === 0x32 /* 2 ping */) return void socket.write(clientFrame("3"));
      if (first === 0x34 && frame[start + 1] === 0x30 /* 40 connected */) {
        if (protocol === "socketio") return markReady();
        return void socket.write(clientFrame('42["subscribe",["lines:*"]]'));
      }
      if (!ready) {
        if (frame.toString("utf8", start, end).includes('"subscribed"')) markReady();
        return;
      }
    } else if (protocol === "hub-signalr" && !ready) {
      const text = frame.toString("utf8", start, end);
      if (text.startsWith(`{}${RS}`)) {
        socket.write(
          clientFrame(`{"type":1,"invocationId":"1","target":"Subscribe","arguments":[["lines:*"]]}${RS}`),
        );
      }
      if (text.includes('"type":3')) markReady();
      return;
    } else if (protocol === "hub" && !ready) {
      const text = frame.toString("utf8", start, end);
      if (text.includes('"welcome"'))
        socket.write(clientFrame(JSON.stringify({ type: "subscribe", channels: ["lines:*"] })));
      if (text.includes('"subscribed"')) markReady();
      return;
    }
    // Every publication in the message: SignalR joins the records of one flush into one message.
    const now = hr();
    for (
      let at = frame.indexOf(BENCH_KEY, start);
      at !== -1 && at < end;
      at = frame.indexOf(BENCH_KEY, at + 1)
    ) {
      stats.received += 1;
      let stop = at + BENCH_KEY.length;
      while (stop < end && frame[stop] !== 0x2c && frame[stop] !== 0x7d) stop++;
      const sentAt = Number(frame.toString("latin1", at + BENCH_KEY.length, stop));
      if (stats.latencyCount < stats.latencies.length) stats.latencies[stats.latencyCount++] = now - sentAt;
      if (!joined) break;
    }
  };
  socket.on("data", (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
    if (!upgraded) {
      const headerEnd = buffer.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      if (!buffer.toString("latin1", 0, 12).includes("101")) {
        onFail(new Error(`upgrade refused: ${buffer.toString("latin1", 0, 40)}`));
        socket.destroy();
        return;
      }
      upgraded = true;
      buffer = buffer.subarray(headerEnd + 4);
      if (protocol === "naive" || protocol === "floor") markReady();
      if (protocol === "hub-signalr") socket.write(clientFrame(`{"protocol":"json","version":1}${RS}`));
    }
    let offset = 0;
    while (buffer.length - offset >= 2) {
      const opcode = buffer[offset]! & 0x0f;
      let length = buffer[offset + 1]! & 0x7f;
      let header = 2;
      if (length === 126) {
        if (buffer.length - offset < 4) break;
        length = buffer.readUInt16BE(offset + 2);
        header = 4;
      } else if (length === 127) {
        if (buffer.length - offset < 10) break;
        length = Number(buffer.readBigUInt64BE(offset + 2));
        header = 10;
      }
      if (buffer.length - offset < header + length) break;
      const start = offset + header;
      if (opcode === 0x1) onText(buffer, start, start + length);
      else if (opcode === 0x9) socket.write(Buffer.from([0x8a, 0x80, 0, 0, 0, 0]));
      else if (opcode === 0x8) socket.end();
      offset = start + length;
    }
    buffer = offset === buffer.length ? Buffer.alloc(0) : buffer.subarray(offset);
  });
  return socket;
}
