import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import type { Frame, WireFormat } from "../publication";
import type { HubClient } from "../transport";

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

  /** Runs of pre-encoded frames are concatenated: one socket write (one system call) per run. */
  sendBatch(frames: readonly Frame[]): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    let run: Buffer[] = [];
    const flushRun = (): void => {
      if (run.length === 1) this.socket.write(run[0]!);
      else if (run.length > 1) this.socket.write(Buffer.concat(run));
      run = [];
    };
    for (const frame of frames) {
      if (typeof frame === "string") {
        flushRun();
        this.ws.send(frame);
      } else run.push(frame);
    }
    flushRun();
  }

  close(code: number, reason: string): void {
    this.ws.close(code, reason);
  }

  terminate(): void {
    this.ws.terminate();
  }
}
