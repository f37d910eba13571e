import { NextResponse, type NextRequest } from "next/server";
import { loadAuthConfig, loadWebConfig } from "@/config";
import { userOf } from "@/server/auth/identity";
import { hubOrigin } from "@/server/auth/tokens";
import { hubConnectOrigins, securityHeaders } from "@/server/security-headers";

/** Reachable without signing in: the sign-in page and the OIDC routes. */
const PUBLIC = [/^\/sign-in$/, /^\/auth\/(sign-in|callback|sign-out)$/];

/**
 * Runs before every page and API route: who is asking (no one signed in: a page redirects to the
 * sign-in page, an API route answers 401), and the security headers with a fresh script nonce.
 */
export async function proxy(request: NextRequest): Promise<NextResponse> {
  const auth = loadAuthConfig();
  const config = loadWebConfig();
  const path = request.nextUrl.pathname;
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
  // Browsers ignore HSTS over plain http (RFC 6797), so a wrong guess here costs nothing.
  const https = (auth.publicUrl ?? request.url).startsWith("https:");
  const headers = securityHeaders({
    nonce,
    connectOrigins: hubConnectOrigins(hubOrigin(request, config.apiUrl, config.wsOrigin, auth.publicUrl)),
    https,
    dev: config.development,
  });

  let response: NextResponse;
  if (PUBLIC.some((p) => p.test(path))) response = pass(request, headers);
  else {
    const resolved = await userOf(request, auth);
    if (resolved.user !== null) response = pass(request, headers);
    else if (path.startsWith("/api/")) {
      response = NextResponse.json(
        {
          error: "unauthorized",
          message: resolved.reason === "expired" ? "Your session expired: sign in again" : "Sign in first",
        },
        { status: 401, headers: { "cache-control": "no-store" } },
      );
    } else {
      // nextUrl carries the Host the browser used; AUTH_URL wins when set.
      const target = auth.publicUrl === undefined ? request.nextUrl.clone() : new URL(auth.publicUrl);
      target.pathname = "/sign-in";
      target.search = "";
      target.searchParams.set("returnTo", `${path}${request.nextUrl.search}`);
      if (resolved.reason === "expired") target.searchParams.set("reason", "expired");
      response = NextResponse.redirect(target, 303);
    }
  }
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/** On to the page or route, with the CSP on the request too (Next reads the nonce from it). */
function pass(request: NextRequest, headers: Record<string, string>): NextResponse {
  const forwarded = new Headers(request.headers);
  forwarded.set("content-security-policy", headers["content-security-policy"]!);
  return NextResponse.next({ request: { headers: forwarded } });
}

export const config = {
  // Everything but Next's own static files (hashed, public, no data in them).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
