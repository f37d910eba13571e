import type { IncomingMessage } from "node:http";
import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";
import type { Clock } from "../../clock";
import { clientAddressOf, type ClientAddress } from "../../security/client-address";
import { FixedWindowLimiter } from "../../security/fixed-window-limiter";
import { tokenFromRequest } from "../auth";
import { realtimeMetrics } from "../metrics";
import type { Hub } from "../hub";

export interface AdmissionOptions {
  /** WS_ALLOWED_ORIGINS; empty allows any origin. Requests without an Origin (non-browsers) pass. */
  allowedOrigins?: readonly string[];
  maxConnections?: number;
  /** Connection attempts per client address per window; 0 disables the limit. */
  connectRatePerIp?: number;
  connectRateWindowMs?: number;
  /** Open (and authenticating) connections per client address across every transport; 0: no cap. */
  maxConnectionsPerIp?: number;
  /** Who a request comes from (TRUSTED_PROXIES); default the TCP peer. */
  clientAddress?: ClientAddress;
  /** Shared by the transports of one server so that a client has one budget, not one per transport. */
  ledger?: AddressLedger;
}

export interface Refusal {
  status: 403 | 429 | 503;
  reason: "origin" | "rate_limited" | "max_connections" | "max_connections_per_ip" | "shutting_down";
  message: string;
}

/**
 * Per client address: the connect rate and the open connections, counted across /ws, SignalR and
 * Socket.IO. Bounded: the rate windows are swept, and an address leaves the map with its last
 * connection.
 */
export class AddressLedger {
  readonly rate: FixedWindowLimiter;
  readonly maxOpenPerAddress: number;
  private readonly open = new Map<string, number>();

  constructor(
    clock: Clock,
    options: { connectRatePerIp?: number; connectRateWindowMs?: number; maxConnectionsPerIp?: number },
  ) {
    this.rate = new FixedWindowLimiter(
      clock,
      options.connectRatePerIp ?? 30,
      options.connectRateWindowMs ?? 10_000,
    );
    this.maxOpenPerAddress = options.maxConnectionsPerIp ?? 100;
  }

  openFrom(address: string): number {
    return this.open.get(address) ?? 0;
  }

  /** One more open connection from `address`; the returned release is idempotent. */
  hold(address: string): () => void {
    this.open.set(address, this.openFrom(address) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = this.openFrom(address) - 1;
      if (left <= 0) this.open.delete(address);
      else this.open.set(address, left);
    };
  }
}

/**
 * The checks /ws makes before it looks at a token, shared by the SignalR and Socket.IO endpoints so
 * every transport refuses the same requests with the same status: shutdown, origin, connection
 * limits (in total and per client address), per-address connect rate.
 */
export class Admission {
  private readonly origins: Set<string>;
  private readonly maxConnections: number;
  private readonly ledger: AddressLedger;
  readonly address: ClientAddress;
  private accepting = true;

  constructor(
    private readonly hub: Hub,
    clock: Clock,
    options: AdmissionOptions,
  ) {
    this.origins = new Set(options.allowedOrigins ?? []);
    this.maxConnections = options.maxConnections ?? 10_000;
    this.ledger = options.ledger ?? new AddressLedger(clock, options);
    this.address = options.clientAddress ?? clientAddressOf([]);
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

  /** CORS answers name only a configured origin: with none configured, no origin is reflected. */
  corsOrigin(origin: string | undefined): string | null {
    return origin !== undefined && this.origins.has(origin) ? origin : null;
  }

  /**
   * Every check, counting this request against the per-address connect rate. `connections` counts
   * open and half-open (authenticating) connections of the calling transport.
   */
  check(req: IncomingMessage, connections: number): Refusal | null {
    return this.policy(req, connections) ?? this.attempt(req);
  }

  /** Shutdown, origin and the connection limits, for a request whose attempt was already counted. */
  policy(req: IncomingMessage, connections: number): Refusal | null {
    if (!this.open) return { status: 503, reason: "shutting_down", message: "server is shutting down" };
    if (!this.originAllowed(req.headers.origin))
      return { status: 403, reason: "origin", message: "origin not allowed" };
    if (connections >= this.maxConnections)
      return { status: 503, reason: "max_connections", message: "too many connections" };
    const max = this.ledger.maxOpenPerAddress;
    if (max > 0 && this.ledger.openFrom(this.address(req)) >= max)
      return {
        status: 429,
        reason: "max_connections_per_ip",
        message: "too many connections from this address",
      };
    return null;
  }

  /**
   * Counts one connection attempt against the per-address connect rate, and nothing else. `bucket`
   * separates kinds of attempt that one connection makes in turn (a Socket.IO handshake, then its
   * CONNECT), so a well-behaved client spends one of each.
   */
  attempt(req: IncomingMessage, bucket = ""): Refusal | null {
    if (this.ledger.rate.allow(bucket + this.address(req))) return null;
    return { status: 429, reason: "rate_limited", message: "too many connection attempts" };
  }

  /** Counts an open (or authenticating) connection against its address; call the release when it ends. */
  hold(req: IncomingMessage): () => void {
    return this.ledger.hold(this.address(req));
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
