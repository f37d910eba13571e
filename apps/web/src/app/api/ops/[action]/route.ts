import { loadAuthConfig, loadWebConfig, signingSecret } from "@/config";
import { csrfFailure } from "@/server/auth/csrf";
import { clientAddress, userOf } from "@/server/auth/identity";
import { refusal } from "@/server/auth/respond";
import { signOpsToken } from "@/server/auth/tokens";
import { forwardToTorghut } from "@/server/upstream-proxy";

export const dynamic = "force-dynamic";

/** The ops actions the console offers, and the API route each runs. */
const ACTIONS: Record<string, string> = {
  failover: "/api/health/failover",
  reconnect: "/api/health/alpaca/reconnect",
  automatic: "/api/health/automatic",
};

interface Context {
  params: Promise<{ action: string }>;
}

/**
 * `POST /api/ops/{failover|reconnect|automatic}` from the ops console: the signed-in operator's
 * session (no pasted token), the CSRF token and a same-origin Origin; then an ops token for this one
 * call, minted here and never shown to the browser, and the API decides and audits as for any token.
 */
export async function POST(request: Request, context: Context): Promise<Response> {
  const { action } = await context.params;
  const path = ACTIONS[action];
  if (path === undefined) return refusal(404, "not_found", `No ops action ${action}`);
  const auth = loadAuthConfig();
  const resolved = await userOf(request, auth);
  if (resolved.user === null) return refusal(401, "unauthorized", "Sign in first");
  const user = resolved.user;
  if (user.role !== "operator") return refusal(403, "forbidden", "Operators only: your role is viewer");
  const csrf = csrfFailure(request, user, auth);
  if (csrf !== null) {
    console.warn(`[ops] refused ${action} by ${user.sub}: csrf ${csrf}`);
    return refusal(403, "csrf", `Refused: the request did not come from this app's page (${csrf})`);
  }
  const config = loadWebConfig();
  const secret = signingSecret(config);
  if (secret === undefined) {
    const missing = "No token secret (WS_AUTH_SECRET or WS_AUTH_SECRET_FILE) on the web app";
    return refusal(503, "ops_unavailable", `${missing}: ops actions are off`);
  }
  const token = await signOpsToken(secret, auth.tokenIssuer, user, Date.now());
  return forwardToTorghut(path, {
    method: "POST",
    authorization: `Bearer ${token}`,
    clientAddress: clientAddress(request.headers, auth),
  });
}
