import { SignJWT } from "jose";

export const VIEWER_SUBJECT = "web-viewer";
export const VIEWER_TTL_SECONDS = 300;

/**
 * A short-lived, read-only hub token for the page: market channels and status only, so a token
 * lifted from a browser cannot act as an operator.
 */
export async function signViewerToken(
  secret: string,
  nowMs: number,
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + VIEWER_TTL_SECONDS;
  const token = await new SignJWT({ channels: ["lines:*", "analytics:*", "order_book:*", "status"] })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(VIEWER_SUBJECT)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt: exp * 1000 };
}

/**
 * Where the browser opens the hub: the configured public origin, else the host the page was served
 * from on the API's port (the hub is on the API server, not on Next).
 */
export function hubOrigin(request: Request, apiUrl: string, configured: string | undefined): string {
  if (configured !== undefined) return configured;
  const api = new URL(apiUrl);
  const page = new URL(request.url);
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host") ?? page.host;
  const hostname = host.replace(/:\d+$/, "");
  const port = api.port === "" ? "" : `:${api.port}`;
  return `${api.protocol}//${hostname}${port}`;
}
