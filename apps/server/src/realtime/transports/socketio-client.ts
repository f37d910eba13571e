import type { Socket } from "socket.io";
import type { Frame } from "../publication";
import type { HubClient } from "../transport";
import { CloseCode } from "../transport";
import { encodeSocketIoControl, packetOf, socketIoFormat } from "./socketio-protocol";

interface EnginePacket {
  data?: string | Buffer | ArrayBuffer;
  options?: { wsPreEncodedFrame?: Buffer[] };
}
/** The `ws` WebSocket under engine.io's websocket transport; `_socket` is its net.Socket. */
interface EngineWebSocket {
  readyState: number;
  bufferedAmount?: number;
  _socket?: { write(chunk: Buffer): boolean; on(event: "drain", listener: () => void): void };
}
export interface EngineTransport {
  name: string;
  socket?: EngineWebSocket;
  on(event: "drain", listener: () => void): void;
}
export interface EngineSocket {
  readyState: string;
  transport: EngineTransport;
  writeBuffer: EnginePacket[];
  write(data: string, options?: { wsPreEncodedFrame?: Buffer[] }): void;
  close(discard?: boolean): void;
  on(event: "drain", listener: () => void): void;
  on(event: "upgrade", listener: (transport: EngineTransport) => void): void;
}

/**
 * One socket.io client as the hub sees it. Frames go to the engine.io socket directly, so the hub's
 * bounded queue sits in front of engine.io's unbounded write buffer; `bufferedAmount` adds that
 * buffer to the WebSocket's own, which is what the hub's high-water mark needs to see.
 */
export class SocketIoHubClient implements HubClient {
  readonly transport = "socketio";
  readonly format = socketIoFormat;

  constructor(private readonly socket: Socket) {}

  private get engine(): EngineSocket {
    return this.socket.conn as unknown as EngineSocket;
  }

  /**
   * engine.io holds packets in its write buffer until the previous WebSocket write completes, which
   * on a healthy connection is the next I/O turn. Those bytes count only once the socket itself is
   * backed up, or a fast client would look slow after every burst. Polling clients drain only when
   * they poll, so there the write buffer always counts.
   */
  get bufferedAmount(): number {
    const engine = this.engine;
    if (engine.transport.name === "websocket") {
      const socketBytes = engine.transport.socket?.bufferedAmount ?? 0;
      return socketBytes === 0 ? 0 : socketBytes + writeBufferBytes(engine);
    }
    return writeBufferBytes(engine);
  }

  /**
   * A publication frame is a complete WebSocket frame: once the connection is on the websocket
   * transport and engine.io holds nothing unsent, it goes straight to the socket, as on /ws, and
   * skips engine.io's per-packet bookkeeping. Otherwise it queues behind engine.io's packets so the
   * order of frames is kept (pings and acks always go through engine.io).
   */
  send(frame: Frame): void {
    const engine = this.engine;
    if (engine.readyState !== "open") return;
    if (typeof frame === "string") return engine.write(frame);
    const direct = this.directSocket();
    if (direct !== undefined) direct.write(frame);
    else engine.write(packetOf(frame), { wsPreEncodedFrame: [frame] });
  }

  /** Runs of frames that may skip engine.io leave in one socket write; the rest go one by one. */
  sendBatch(frames: readonly Frame[]): void {
    let run: Buffer[] = [];
    const flushRun = (): void => {
      const direct = run.length > 1 ? this.directSocket() : undefined;
      if (direct !== undefined) direct.write(Buffer.concat(run));
      else for (const frame of run) this.send(frame);
      run = [];
    };
    for (const frame of frames) {
      if (typeof frame === "string") {
        flushRun();
        this.send(frame);
      } else run.push(frame);
    }
    flushRun();
  }

  /** The TCP socket, when a frame may be written to it without overtaking engine.io's packets. */
  private directSocket(): { write(data: Buffer): boolean } | undefined {
    const engine = this.engine;
    if (engine.readyState !== "open" || engine.writeBuffer.length > 0) return undefined;
    const ws = engine.transport.name === "websocket" ? engine.transport.socket : undefined;
    return ws?._socket !== undefined && ws.readyState === 1 ? ws._socket : undefined;
  }

  /**
   * A `control` close notice, then the engine.io connection closes without a socket.io DISCONNECT
   * packet, so socket.io-client reconnects by itself (reason "transport close"), as a /ws client
   * reconnects after 1001/1008. A slow client's backlog is discarded instead of flushed first.
   */
  close(code: number, reason: string): void {
    const engine = this.engine;
    if (engine.readyState === "open") engine.write(encodeSocketIoControl({ type: "close", code, reason }));
    engine.close(code === CloseCode.POLICY_VIOLATION);
  }

  terminate(): void {
    this.engine.close(true);
  }
}

function writeBufferBytes(engine: EngineSocket): number {
  let bytes = 0;
  for (const packet of engine.writeBuffer) {
    const frame = packet.options?.wsPreEncodedFrame?.[0];
    bytes +=
      frame !== undefined
        ? frame.length
        : typeof packet.data === "string"
          ? packet.data.length
          : (packet.data?.byteLength ?? 0);
  }
  return bytes;
}
