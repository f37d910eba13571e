import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { Clock } from "../../clock";
import { tokenFromRequest } from "../auth";
import { ConnectRateLimiter } from "../connect-limits";
import { realtimeMetrics } from "../metrics";
import type { Hub } from "../hub";

export interface AdmissionOptions {
  /** WS_ALLOWED_ORIGINS; empty allows any origin. Requests without an Origin (non-browsers) pass. */
  allowedOrigins?: readonly string[];
  maxConnections?: number;
  /** Connection attempts per IP per window; 0 disables the limit. */
  connectRatePerIp?: number;
  connectRateWindowMs?: number;
}

export interface Refusal {
  status: 403 | 429 | 503;
  reason: "origin" | "rate_limited" | "max_connections" | "shutting_down";
  message: string;
}

/**
 * The checks /ws makes before it looks at a token, shared by the SignalR and Socket.IO endpoints so
 * every transport refuses the same requests with the same status: shutdown, origin, connection
 * limit, per-IP connect rate.
 */
export class Admission {
  private readonly origins: Set<string>;
  private readonly maxConnections: number;
  private readonly limiter: ConnectRateLimiter;
  private accepting = true;

  constructor(
    private readonly hub: Hub,
    clock: Clock,
    options: AdmissionOptions,
  ) {
    this.origins = new Set(options.allowedOrigins ?? []);
    this.maxConnections = options.maxConnections ?? 10_000;
    this.limiter = new ConnectRateLimiter(
      clock,
      options.connectRatePerIp ?? 30,
      options.connectRateWindowMs ?? 10_000,
    );
  }

  get open(): boolean {
    return this.accepting && !this.hub.shuttingDown;
  }

  stop(): void {
    this.accepting = false;
  }

  originAllowed(origin: string | undefined): boolean {
    return this.origins.size === 0 || origin === undefined || this.origins.has(origin);
  }

  /**
   * Every check, counting this request against the per-IP connect rate. `connections` counts open and
   * half-open (authenticating) connections of the calling transport.
   */
  check(req: IncomingMessage, connections: number): Refusal | null {
    return this.policy(req, connections) ?? this.attempt(req);
  }

  /** Shutdown, origin and connection limit, for a request whose attempt was already counted. */
  policy(req: IncomingMessage, connections: number): Refusal | null {
    if (!this.open) return { status: 503, reason: "shutting_down", message: "server is shutting down" };
    if (!this.originAllowed(req.headers.origin))
      return { status: 403, reason: "origin", message: "origin not allowed" };
    if (connections >= this.maxConnections)
      return { status: 503, reason: "max_connections", message: "too many connections" };
    return null;
  }

  /** Counts one connection attempt against the per-IP connect rate, and nothing else. */
  attempt(req: IncomingMessage): Refusal | null {
    if (this.limiter.allow(req.socket.remoteAddress ?? "unknown")) return null;
    return { status: 429, reason: "rate_limited", message: "too many connection attempts" };
  }
}

/** `Authorization: Bearer …`, then `?access_token=` (SignalR's browser client), then `?token=`. */
export function bearerToken(req: IncomingMessage): string | null {
  return tokenFromRequest(req, ["access_token", "token"]);
}

/** Answers a refused upgrade with a plain-text HTTP error, closes the socket and counts the refusal. */
export function refuseUpgrade(
  socket: Duplex,
  transport: string,
  status: number,
  reason: string,
  message: string,
): void {
  realtimeMetrics.rejectedConnections.inc({ transport, reason });
  const body = `${message}\n`;
  const extra = status === 401 ? 'WWW-Authenticate: Bearer realm="torghut"\r\n' : "";
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n${extra}` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
