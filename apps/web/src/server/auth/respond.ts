import type { AuthConfig } from "@/config";
import { cookieOptions } from "./session";

/** Cookies are Secure when this app is served over https (AUTH_URL, or the request itself). */
export function secureCookies(request: Request, auth: AuthConfig): boolean {
  return (auth.publicUrl ?? request.url).startsWith("https:");
}

/** A Set-Cookie header value (route handlers build their responses by hand). */
export function setCookie(name: string, value: string, secure: boolean, maxAgeSeconds: number): string {
  const o = cookieOptions(secure, maxAgeSeconds);
  return [
    `${name}=${encodeURIComponent(value)}`,
    `Path=${o.path}`,
    `Max-Age=${o.maxAge}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(o.secure ? ["Secure"] : []),
  ].join("; ");
}

export function clearCookie(name: string, secure: boolean): string {
  return setCookie(name, "", secure, 0);
}

/** A JSON refusal that never caches. */
export function refusal(status: number, error: string, message: string, extra: HeadersInit = {}): Response {
  return Response.json({ error, message }, { status, headers: { "cache-control": "no-store", ...extra } });
}

/** A redirect relative to this app's public URL (or the request's origin). */
export function redirectTo(
  request: Request,
  auth: AuthConfig,
  path: string,
  cookies: string[] = [],
): Response {
  // Relative without AUTH_URL: the browser resolves it against the address it used.
  const location = auth.publicUrl === undefined ? path : new URL(path, auth.publicUrl).toString();
  const headers = new Headers({ location, "cache-control": "no-store" });
  for (const cookie of cookies) headers.append("set-cookie", cookie);
  return new Response(null, { status: 303, headers });
}
