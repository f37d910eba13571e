import { loadWebConfig } from "../config";

/** Request headers the API needs; cookies and the rest of the browser's headers stay here. */
const FORWARDED_REQUEST = ["authorization", "content-type", "accept"];
/** Response headers the browser needs to understand a refusal or a rate limit. */
const FORWARDED_RESPONSE = ["content-type", "www-authenticate", "retry-after"];

/** What the page says when the Next server cannot reach the API: never the API's internal address. */
export const API_UNREACHABLE_MESSAGE = "The Torghut API is not reachable";

/**
 * Same-origin proxy for the Torghut REST API. Route handlers instead of next.config rewrites because
 * rewrites are frozen into the build: this reads TORGHUT_API_URL when the request arrives.
 */
export async function proxyToTorghut(request: Request, path: string): Promise<Response> {
  const { apiUrl } = loadWebConfig();
  const search = new URL(request.url).search;
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST) {
    const value = request.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  let upstream: Response;
  try {
    upstream = await fetch(`${apiUrl}${path}${search}`, {
      method: request.method,
      headers,
      cache: "no-store",
      signal: AbortSignal.timeout(10_000),
      ...(hasBody ? { body: await request.arrayBuffer() } : {}),
    });
  } catch {
    return Response.json(
      { error: "upstream_unavailable", message: API_UNREACHABLE_MESSAGE },
      { status: 502, headers: { "cache-control": "no-store" } },
    );
  }
  const out = new Headers({ "cache-control": "no-store" });
  for (const name of FORWARDED_RESPONSE) {
    const value = upstream.headers.get(name);
    if (value !== null) out.set(name, value);
  }
  // Stream the body through: a 5,000-bar answer starts reaching the chart before it has fully arrived here.
  return new Response(upstream.body, { status: upstream.status, headers: out });
}

/** `[...path]` segments back into an encoded path under `prefix`. */
export function joinPath(prefix: string, segments: readonly string[]): string {
  return `${prefix}/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
}
