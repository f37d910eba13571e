import { timingSafeEqual } from "node:crypto";
import proxyaddr from "proxy-addr";
import type { AuthConfig } from "@/config";
import { sessionKey } from "./keys";
import { roleFromGroups } from "./roles";
import { openSession, SESSION_COOKIE } from "./session";
import { DEV_OPERATOR, type User } from "./user";

/** The header server.mjs sets on every request: `<key> <address of the TCP peer>`. */
export const PEER_HEADER = "x-torghut-peer";

/** The TCP peer's address, if server.mjs vouches for it; a client-sent header never matches the key. */
export function peerAddress(headers: Headers, key: string | undefined): string | null {
  const value = headers.get(PEER_HEADER);
  if (key === undefined || value === null) return null;
  const space = value.indexOf(" ");
  if (space === -1) return null;
  const given = Buffer.from(value.slice(0, space));
  const expected = Buffer.from(key);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  return value.slice(space + 1);
}

function trustedProxy(peer: string | null, trusted: readonly string[]): boolean {
  return peer !== null && proxyaddr.compile([...trusted])(peer, 0);
}

/**
 * The client's address: the peer, or, when the peer is a trusted authenticating proxy, the first
 * address it names in X-Forwarded-For. Forwarded to the API (which trusts this app through its own
 * TRUSTED_PROXIES) so that rate limits and the ops audit see the person, not this server.
 */
export function clientAddress(headers: Headers, auth: AuthConfig): string | null {
  const peer = peerAddress(headers, auth.peerKey);
  if (auth.mode.kind === "proxy" && trustedProxy(peer, auth.mode.trustedProxies)) {
    const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  return peer;
}

export type Resolved = { user: User } | { user: null; reason: "none" | "expired" | "invalid" | "untrusted" };

/**
 * Who makes this request, in the configured mode: the session cookie (OIDC), the proxy's headers
 * (only from AUTH_TRUSTED_PROXIES), or the development operator.
 */
export async function resolveUser(
  headers: Headers,
  cookie: string | undefined,
  auth: AuthConfig,
  nowMs: number,
): Promise<Resolved> {
  switch (auth.mode.kind) {
    case "development":
      return { user: DEV_OPERATOR };
    case "oidc":
      return openSession(cookie, sessionKey(auth.sessionSecret), nowMs);
    case "proxy": {
      const name = headers.get("x-forwarded-user") ?? headers.get("x-forwarded-email");
      if (name === null || name.trim() === "") return { user: null, reason: "none" };
      if (!trustedProxy(peerAddress(headers, auth.peerKey), auth.mode.trustedProxies))
        return { user: null, reason: "untrusted" };
      const email = headers.get("x-forwarded-email");
      return {
        user: {
          sub: name.trim(),
          name: name.trim(),
          email: email?.trim() || null,
          role: roleFromGroups(headers.get("x-forwarded-groups"), auth.operatorRoles),
          development: false,
          sid: "proxy",
        },
      };
    }
  }
}

/** `resolveUser` for a Request (route handlers, the proxy). */
export function userOf(request: Request, auth: AuthConfig, nowMs = Date.now()): Promise<Resolved> {
  return resolveUser(
    request.headers,
    cookieValue(request.headers.get("cookie"), SESSION_COOKIE),
    auth,
    nowMs,
  );
}

export function cookieValue(header: string | null, name: string): string | undefined {
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
