import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { Frame, WireFormat } from "../publication";
import type { HubClient } from "../transport";
import { FrameJoiner } from "./frame-join";

/** One per process: the clients flushed in one turn share their joined runs. */
const joiner = new FrameJoiner();

/**
 * A hub client over one `ws` socket, shared by the /ws and SignalR transports. Pre-encoded frames
 * (complete WebSocket frames) are written straight to the TCP socket: safe because
 * permessage-deflate is off, so ws's own sender (close, ping) writes synchronously too and frames
 * never interleave.
 */
export abstract class SocketHubClient implements HubClient {
  abstract readonly transport: string;
  abstract readonly format: WireFormat;

  constructor(
    protected readonly ws: WebSocket,
    protected readonly socket: Socket,
  ) {}

  get bufferedAmount(): number {
    return this.socket.writableLength;
  }

  send(frame: Frame): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    if (typeof frame === "string") this.ws.send(frame);
    else this.socket.write(frame);
  }

  /**
   * Runs of pre-encoded frames are joined: one socket write (one system call) per run. Text frames
   * (rare: control messages) go through ws's sender between runs, in order.
   */
  sendBatch(frames: readonly Frame[]): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    let from = 0;
    for (let i = 0; i <= frames.length; i++) {
      const frame = frames[i];
      if (typeof frame === "object") continue;
      this.writeRun(frames as readonly Buffer[], from, i);
      if (frame !== undefined) this.ws.send(frame);
      from = i + 1;
    }
  }

  /** Writes `frames[from..to)`, pre-encoded frames, in order; SignalR joins them into one message. */
  protected writeRun(frames: readonly Buffer[], from: number, to: number): void {
    this.writeJoined(frames, from, to, joiner);
  }

  /** One socket write for `frames[from..to)`: a lone frame as it is, a run as `by` joins it. */
  protected writeJoined(frames: readonly Buffer[], from: number, to: number, by: FrameJoiner): void {
    if (to - from === 1) this.socket.write(frames[from]!);
    else if (to - from > 1) this.socket.write(by.join(frames, from, to));
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
