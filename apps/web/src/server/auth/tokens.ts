import { SignJWT } from "jose";
import type { User } from "./user";

export const HUB_AUDIENCE = "torghut-hub";
export const OPS_AUDIENCE = "torghut-ops";
export const HUB_TOKEN_TTL_SECONDS = 300;
/** Just long enough for one ops call through this server. */
export const OPS_TOKEN_TTL_SECONDS = 60;

const key = (secret: string) => new TextEncoder().encode(secret);

/**
 * A short-lived hub token for a signed-in user: market channels and status only, audience
 * torghut-hub, so a token lifted from a browser can neither act as an operator nor outlive 5 minutes.
 */
export async function signHubToken(
  secret: string,
  issuer: string,
  user: User,
  nowMs: number,
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + HUB_TOKEN_TTL_SECONDS;
  const token = await new SignJWT({ channels: ["lines:*", "analytics:*", "order_book:*", "status"] })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.sub)
    .setIssuer(issuer)
    .setAudience(HUB_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key(secret));
  return { token, expiresAt: exp * 1000 };
}

/** An ops token for one call on behalf of a signed-in operator (never handed to the browser). */
export function signOpsToken(secret: string, issuer: string, user: User, nowMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ roles: ["operator"], name: user.name })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.email ?? user.sub)
    .setIssuer(issuer)
    .setAudience(OPS_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + OPS_TOKEN_TTL_SECONDS)
    .sign(key(secret));
}

/**
 * Where the browser opens the hub: the configured public origin; else this app's public host (AUTH_URL)
 * or the request's Host on the API's port. Never X-Forwarded-Host: whoever sends that would choose
 * the hub URL (and so where the browser sends its token).
 */
export function hubOrigin(
  request: Request,
  apiUrl: string,
  configured: string | undefined,
  publicUrl: string | undefined,
): string {
  if (configured !== undefined) return configured;
  const api = new URL(apiUrl);
  const host =
    publicUrl !== undefined
      ? new URL(publicUrl).host
      : (request.headers.get("host") ?? new URL(request.url).host);
  const hostname = host.replace(/:\d+$/, "");
  const port = api.port === "" ? "" : `:${api.port}`;
  return `${api.protocol}//${hostname}${port}`;
}
