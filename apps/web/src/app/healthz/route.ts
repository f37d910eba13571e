export const dynamic = "force-dynamic";

/**
 * `GET /healthz`: the web server is up and answering (the image's HEALTHCHECK, the pod's probes).
 * It does not ask the API: a web pod restarted because the API is down would not bring it back.
 */
export function GET(): Response {
  return Response.json({ status: "ok" }, { headers: { "cache-control": "no-store" } });
}
