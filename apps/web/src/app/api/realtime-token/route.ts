import { loadAuthConfig, loadWebConfig, signingSecret } from "@/config";
import { userOf } from "@/server/auth/identity";
import { refusal } from "@/server/auth/respond";
import { hubOrigin, signHubToken } from "@/server/auth/tokens";

export const dynamic = "force-dynamic";

/** `GET /api/realtime-token` → `{token, expiresAt, hubUrl}` for the SignalR hub: signed-in users only. */
export async function GET(request: Request): Promise<Response> {
  const auth = loadAuthConfig();
  const resolved = await userOf(request, auth);
  if (resolved.user === null) return refusal(401, "unauthorized", "Sign in first");
  const config = loadWebConfig();
  const secret = signingSecret(config);
  if (secret === undefined) {
    return refusal(
      503,
      "live_unavailable",
      "No token secret (WS_AUTH_SECRET or WS_AUTH_SECRET_FILE): live updates are off, prices are polled",
    );
  }
  const { token, expiresAt } = await signHubToken(secret, auth.tokenIssuer, resolved.user, Date.now());
  const hubUrl = `${hubOrigin(request, config.apiUrl, config.wsOrigin, auth.publicUrl)}/hubs/market-data`;
  return Response.json({ token, expiresAt, hubUrl }, { headers: { "cache-control": "no-store" } });
}
