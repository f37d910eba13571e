import { loadAuthConfig } from "@/config";
import { beginSignIn, FLOW_COOKIE, FLOW_MAX_AGE_SECONDS, safeReturnTo } from "@/server/auth/oidc";
import { redirectTo, refusal, secureCookies, setCookie } from "@/server/auth/respond";

export const dynamic = "force-dynamic";

/** `GET /auth/sign-in?returnTo=/ops`: off to the identity provider (PKCE, state, nonce). */
export async function GET(request: Request): Promise<Response> {
  const auth = loadAuthConfig();
  const returnTo = safeReturnTo(new URL(request.url).searchParams.get("returnTo"));
  if (auth.mode.kind !== "oidc") return redirectTo(request, auth, returnTo);
  try {
    const { url, flow } = await beginSignIn(auth, auth.mode, returnTo);
    const headers = new Headers({ location: url.toString(), "cache-control": "no-store" });
    headers.append(
      "set-cookie",
      setCookie(FLOW_COOKIE, flow, secureCookies(request, auth), FLOW_MAX_AGE_SECONDS),
    );
    return new Response(null, { status: 303, headers });
  } catch (error) {
    console.error(
      `[auth] sign-in could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    return refusal(
      502,
      "identity_provider_unavailable",
      "The identity provider is not reachable; try again shortly",
    );
  }
}
