import type { IncomingMessage, ServerResponse } from "node:http";
import type { Clock } from "../../clock";
import type { Logger } from "../../logger";
import { AuthError } from "../auth";
import { realtimeMetrics } from "../metrics";
import type { Principal } from "../transport";
import type { Admission } from "./admission";
import { bearerToken } from "./admission";
import { negotiateResponse } from "./signalr-protocol";

interface Negotiation {
  sub: string;
  expiresAt: number;
}

export interface NegotiateOptions {
  admission: Admission;
  clock: Clock;
  logger: Logger;
  verify(token: string): Promise<Principal>;
  /** How long a negotiated connection token stays valid for the WebSocket upgrade. */
  ttlMs: number;
  /** Outstanding negotiations are bounded like connections. */
  maxPending: number;
}

const CORS_HEADERS = "Authorization, Content-Type, X-Requested-With, X-SignalR-User-Agent";

/**
 * `POST {path}/negotiate`: checks the token the same way the upgrade does (so a browser learns of a
 * bad token from a 401 here, before any WebSocket), and hands out a one-shot connection token that
 * the upgrade must present as `id` within `ttlMs`.
 */
export class SignalrNegotiator {
  private readonly pending = new Map<string, Negotiation>();

  constructor(private readonly options: NegotiateOptions) {}

  /** The negotiation behind `id`, consumed; undefined when unknown or expired. */
  take(id: string): Negotiation | undefined {
    const found = this.pending.get(id);
    this.pending.delete(id);
    return found !== undefined && found.expiresAt > this.options.clock.now() ? found : undefined;
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const { admission, clock } = this.options;
    req.resume();
    const origin = req.headers.origin;
    res.setHeader("Vary", "Origin");
    // Only a configured origin is named: reflecting any Origin with credentials would let every site
    // on the web call negotiate as the browser's user.
    const corsOrigin = admission.corsOrigin(origin);
    if (corsOrigin !== null) {
      res.setHeader("Access-Control-Allow-Origin", corsOrigin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
    }
    if (req.method === "OPTIONS") {
      if (corsOrigin === null) return this.refuse(res, 403, "origin", "origin not allowed");
      res.writeHead(204, {
        "Access-Control-Allow-Methods": "POST, OPTIONS",
        "Access-Control-Allow-Headers": CORS_HEADERS,
        "Access-Control-Max-Age": "600",
      });
      return void res.end();
    }
    if (req.method !== "POST") return this.refuse(res, 405, "method", "use POST");
    this.sweep();
    const refusal = admission.check(req, this.pending.size >= this.options.maxPending ? Infinity : 0);
    if (refusal !== null) return this.refuse(res, refusal.status, refusal.reason, refusal.message);
    const token = bearerToken(req);
    if (token === null) return this.refuse(res, 401, "missing_token", "missing_token");
    const version = Number(
      new URLSearchParams((req.url ?? "").split("?")[1] ?? "").get("negotiateVersion") ?? 0,
    );
    this.options
      .verify(token)
      .then((principal) => {
        if (!admission.open) return this.refuse(res, 503, "shutting_down", "server is shutting down");
        const { response, connectKey } = negotiateResponse(Number.isFinite(version) ? version : 0);
        this.pending.set(connectKey, { sub: principal.sub, expiresAt: clock.now() + this.options.ttlMs });
        const body = JSON.stringify(response);
        res.writeHead(200, {
          "Content-Type": "application/json",
          "Cache-Control": "no-store",
          "Content-Length": Buffer.byteLength(body),
        });
        res.end(body);
      })
      .catch((error: unknown) => {
        const code = error instanceof AuthError ? error.code : "invalid_token";
        this.options.logger.info(
          { ip: admission.address(req), code },
          "[ws-realtime] signalr negotiate refused token",
        );
        this.refuse(res, 401, code, code);
      });
  }

  clear(): void {
    this.pending.clear();
  }

  private refuse(res: ServerResponse, status: number, reason: string, message: string): void {
    realtimeMetrics.rejectedConnections.inc({ transport: "signalr", reason });
    const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8" };
    if (status === 401) headers["WWW-Authenticate"] = 'Bearer realm="torghut"';
    res.writeHead(status, headers);
    res.end(`${message}\n`);
  }

  private sweep(): void {
    const now = this.options.clock.now();
    for (const [key, negotiation] of this.pending) if (negotiation.expiresAt <= now) this.pending.delete(key);
  }
}
