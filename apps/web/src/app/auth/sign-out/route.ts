import { loadAuthConfig } from "@/config";
import { csrfFailure } from "@/server/auth/csrf";
import { userOf } from "@/server/auth/identity";
import { clearCookie, redirectTo, refusal, secureCookies } from "@/server/auth/respond";
import { SESSION_COOKIE } from "@/server/auth/session";

export const dynamic = "force-dynamic";

/**
 * `POST /auth/sign-out` (a form with the CSRF token): the session cookie is cleared. The provider's
 * own session is left alone, so signing in again may not ask for a password.
 */
export async function POST(request: Request): Promise<Response> {
  const auth = loadAuthConfig();
  const resolved = await userOf(request, auth);
  if (resolved.user !== null) {
    const form = await request.formData().catch(() => null);
    const token = form?.get("csrf");
    const headers = new Headers(request.headers);
    if (typeof token === "string") headers.set("x-csrf-token", token);
    const failure = csrfFailure(new Request(request.url, { method: "POST", headers }), resolved.user, auth);
    if (failure !== null) return refusal(403, "csrf", `Sign-out refused (${failure})`);
  }
  return redirectTo(request, auth, "/sign-in?reason=signed_out", [
    clearCookie(SESSION_COOKIE, secureCookies(request, auth)),
  ]);
}
