import { createHmac, timingSafeEqual } from "node:crypto";
import type { AuthConfig } from "@/config";
import { sessionKey } from "./keys";
import type { User } from "./user";

/** The header a state-changing call (ops actions, sign-out) must carry. */
export const CSRF_HEADER = "x-csrf-token";

/**
 * A token bound to this user's session (its sid): the page renders it for its own scripts; another
 * site can neither read it nor compute it. Together with the Origin check below and SameSite=Lax
 * session cookies, a cross-site request cannot act as the signed-in user.
 */
export function csrfToken(user: User, auth: AuthConfig): string {
  return createHmac("sha256", sessionKey(auth.sessionSecret))
    .update(`csrf:${user.sub}:${user.sid}`)
    .digest("base64url");
}

export type CsrfFailure = "cross_origin" | "missing_token" | "bad_token";

/** Null when the request may act; otherwise why not (answered 403 and counted). */
export function csrfFailure(request: Request, user: User, auth: AuthConfig): CsrfFailure | null {
  const expectedOrigin = auth.publicUrl === undefined ? ownOrigin(request) : new URL(auth.publicUrl).origin;
  // `null` is what a browser sends when it withholds the origin (a no-referrer policy): no proof either way.
  const sent = request.headers.get("origin");
  const origin = sent === "null" ? null : sent;
  const site = request.headers.get("sec-fetch-site");
  // Browsers send Origin on every POST (and Sec-Fetch-Site); one without either is not from our page.
  if (origin !== null ? origin !== expectedOrigin : site !== "same-origin") return "cross_origin";
  const given = request.headers.get(CSRF_HEADER);
  if (given === null || given === "") return "missing_token";
  const a = Buffer.from(given);
  const b = Buffer.from(csrfToken(user, auth));
  return a.length === b.length && timingSafeEqual(a, b) ? null : "bad_token";
}

/**
 * Without AUTH_URL: the origin the browser addressed (its Host header). Next's `request.url` names
 * the host Next was started with, which need not be the one in the address bar.
 */
function ownOrigin(request: Request): string {
  const url = new URL(request.url);
  return `${url.protocol}//${request.headers.get("host") ?? url.host}`;
}
