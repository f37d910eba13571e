import { loadAuthConfig, loadWebConfig, signingSecret } from "@/config";
import { csrfFailure } from "@/server/auth/csrf";
import { clientAddress, userOf } from "@/server/auth/identity";
import { refusal } from "@/server/auth/respond";
import { signHubToken } from "@/server/auth/tokens";
import { forwardToTorghut } from "@/server/upstream-proxy";

export const dynamic = "force-dynamic";

/** 500 symbols of up to 10 characters fit with room to spare; anything larger is not a watchlist. */
const MAX_BODY_BYTES = 16 * 1024;

/** `GET /api/watchlist`: the signed-in user's saved list (`symbols` null before their first save). */
export function GET(request: Request): Promise<Response> {
  return forward(request, "GET");
}

/** `PUT /api/watchlist` `{symbols}`: saves the signed-in user's list (same-origin, with the CSRF token). */
export function PUT(request: Request): Promise<Response> {
  return forward(request, "PUT");
}

/**
 * The API keeps lists by the token's subject; this server mints a hub token for the session's user
 * for the one call, so the browser never names whose list it reads or writes.
 */
async function forward(request: Request, method: "GET" | "PUT"): Promise<Response> {
  const auth = loadAuthConfig();
  const resolved = await userOf(request, auth);
  if (resolved.user === null) return refusal(401, "unauthorized", "Sign in first");
  const user = resolved.user;
  let json: string | undefined;
  if (method === "PUT") {
    const csrf = csrfFailure(request, user, auth);
    if (csrf !== null) {
      return refusal(403, "csrf", `Refused: the request did not come from this app's page (${csrf})`);
    }
    if (Number(request.headers.get("content-length") ?? 0) > MAX_BODY_BYTES) {
      return refusal(413, "too_large", `A watchlist body is at most ${MAX_BODY_BYTES} bytes`);
    }
    json = await request.text();
    if (new TextEncoder().encode(json).byteLength > MAX_BODY_BYTES) {
      return refusal(413, "too_large", `A watchlist body is at most ${MAX_BODY_BYTES} bytes`);
    }
  }
  const secret = signingSecret(loadWebConfig());
  if (secret === undefined) {
    const missing = "No token secret (WS_AUTH_SECRET or WS_AUTH_SECRET_FILE) on the web app";
    return refusal(503, "watchlist_unavailable", `${missing}: your list is kept in this browser only`);
  }
  const { token } = await signHubToken(secret, auth.tokenIssuer, user, Date.now());
  return forwardToTorghut("/api/me/watchlist", {
    method,
    authorization: `Bearer ${token}`,
    clientAddress: clientAddress(request.headers, auth),
    ...(json === undefined ? {} : { json }),
  });
}
