import { loadAuthConfig } from "@/config";
import { cookieValue } from "@/server/auth/identity";
import { sessionKey } from "@/server/auth/keys";
import { finishSignIn, FLOW_COOKIE } from "@/server/auth/oidc";
import { clearCookie, redirectTo, secureCookies, setCookie } from "@/server/auth/respond";
import { sealSession, SESSION_COOKIE } from "@/server/auth/session";

export const dynamic = "force-dynamic";

/** `GET /auth/callback?code&state`: the provider sends the user back; a session cookie if all checks pass. */
export async function GET(request: Request): Promise<Response> {
  const auth = loadAuthConfig();
  if (auth.mode.kind !== "oidc") return redirectTo(request, auth, "/");
  const secure = secureCookies(request, auth);
  try {
    const flow = cookieValue(request.headers.get("cookie"), FLOW_COOKIE);
    const { user, returnTo } = await finishSignIn(auth, auth.mode, new URL(request.url), flow);
    const session = await sealSession(
      user,
      sessionKey(auth.sessionSecret),
      auth.sessionMaxAgeSeconds,
      Date.now(),
    );
    console.info(`[auth] signed in sub=${user.sub} role=${user.role}`);
    return redirectTo(request, auth, returnTo, [
      setCookie(SESSION_COOKIE, session, secure, auth.sessionMaxAgeSeconds),
      clearCookie(FLOW_COOKIE, secure),
    ]);
  } catch (error) {
    console.warn(`[auth] sign-in refused: ${error instanceof Error ? error.message : String(error)}`);
    return redirectTo(request, auth, "/sign-in?reason=failed", [clearCookie(FLOW_COOKIE, secure)]);
  }
}
