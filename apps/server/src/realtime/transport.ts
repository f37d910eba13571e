import type { Frame, WireFormat } from "./publication";

/**
 * The hub's only view of a connection. Transports (/ws, SignalR, Socket.IO) adapt their socket to
 * this; the hub never imports a WebSocket library. There is no `read`: inbound messages are the
 * transport's business, which calls the session's methods.
 */
export interface HubClient {
  /** Transport name for stats and metrics: `ws`, `signalr`, `socketio`. */
  readonly transport: string;
  readonly format: WireFormat;
  /** Bytes written but not yet flushed to the kernel; the hub stops writing above its high-water mark. */
  readonly bufferedAmount: number;
  /** Hand over an encoded frame. Must not block and must not throw once the connection is closing. */
  send(frame: Frame): void;
  /** Several frames in order, ideally in one write (one system call for the lot). Same rules as `send`. */
  sendBatch(frames: readonly Frame[]): void;
  /** Orderly close (close frame with code and reason). */
  close(code: number, reason: string): void;
  /** Drop the connection now (shutdown deadline passed). */
  terminate(): void;
}

/** Who is connected, from the verified token. */
export interface Principal {
  readonly sub: string;
  readonly roles: readonly string[];
  /** Channel permissions from the token; undefined means all channels. */
  readonly channels?: readonly string[];
  /** Token expiry, epoch seconds. */
  readonly exp?: number;
}

/** WebSocket close codes the realtime endpoints use; 4000–4999 is the application range. */
export const CloseCode = {
  GOING_AWAY: 1001,
  POLICY_VIOLATION: 1008,
  TOO_BIG: 1009,
  TOKEN_EXPIRED: 4001,
} as const;
