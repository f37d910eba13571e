import { loadWebConfig } from "@/config";
import { hubOrigin, signViewerToken } from "@/server/viewer-token";

export const dynamic = "force-dynamic";

/** `GET /api/realtime-token` → `{token, expiresAt, hubUrl}` for the SignalR market-data hub. */
export async function GET(request: Request): Promise<Response> {
  const config = loadWebConfig();
  const headers = { "cache-control": "no-store" };
  if (config.authSecret === undefined) {
    return Response.json(
      {
        error: "live_unavailable",
        message: "WS_AUTH_SECRET is not set: live updates are off, prices are polled",
      },
      { status: 503, headers },
    );
  }
  const { token, expiresAt } = await signViewerToken(config.authSecret, Date.now());
  const hubUrl = `${hubOrigin(request, config.apiUrl, config.wsOrigin)}/hubs/market-data`;
  return Response.json({ token, expiresAt, hubUrl }, { headers });
}
