import { loadAuthConfig, loadWebConfig } from "../config";
import { clientAddress } from "./auth/identity";

/** Request headers the API needs; cookies and the rest of the browser's headers stay here. */
const FORWARDED_REQUEST = ["content-type", "accept"];
/** Response headers the browser needs to understand a refusal or a rate limit. */
const FORWARDED_RESPONSE = ["content-type", "www-authenticate", "retry-after"];

/** What the page says when the Next server cannot reach the API: never the API's internal address. */
export const API_UNREACHABLE_MESSAGE = "The Torghut API is not reachable";

/**
 * One call to the Torghut API from this server. The client's address goes along in X-Forwarded-For
 * (the API trusts this app through its TRUSTED_PROXIES), so the API's rate limits and audit see the
 * person rather than this server. Nothing else of the browser's request is passed through.
 */
export async function forwardToTorghut(
  pathAndQuery: string,
  options: {
    method: "GET" | "POST" | "PUT";
    authorization?: string;
    clientAddress: string | null;
    headers?: Headers;
    /** A JSON body this server has already read and bounded (never the browser's stream). */
    json?: string;
  },
): Promise<Response> {
  const { apiUrl } = loadWebConfig();
  const headers = new Headers();
  for (const name of FORWARDED_REQUEST) {
    const value = options.headers?.get(name);
    if (value != null) headers.set(name, value);
  }
  if (options.authorization !== undefined) headers.set("authorization", options.authorization);
  if (options.clientAddress !== null) headers.set("x-forwarded-for", options.clientAddress);
  if (options.json !== undefined) headers.set("content-type", "application/json");
  let upstream: Response;
  try {
    upstream = await fetch(`${apiUrl}${pathAndQuery}`, {
      method: options.method,
      headers,
      ...(options.json === undefined ? {} : { body: options.json }),
      cache: "no-store",
      signal: AbortSignal.timeout(10_000),
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

/**
 * Same-origin proxy for the Torghut REST API's reads (GET only: no request body is read, so none
 * can be large). Route handlers instead of next.config rewrites because rewrites are frozen into
 * the build: this reads TORGHUT_API_URL when the request arrives. `path` null (a refused path) is a 400.
 */
export async function proxyToTorghut(request: Request, path: string | null): Promise<Response> {
  if (path === null) {
    return Response.json(
      { error: "bad_path", message: "Path segments . and .. are not allowed" },
      { status: 400, headers: { "cache-control": "no-store" } },
    );
  }
  const search = new URL(request.url).search;
  return forwardToTorghut(`${path}${search}`, {
    method: "GET",
    clientAddress: clientAddress(request.headers, loadAuthConfig()),
    headers: request.headers,
  });
}

/**
 * `[...path]` segments back into an encoded path under `prefix`; null when a segment is `.` or `..`
 * (decoded, as Next hands them over): `/api/health/../../metrics` must not become `/metrics` at the API.
 */
export function joinPath(prefix: string, segments: readonly string[]): string | null {
  if (segments.some((s) => s === "." || s === ".." || s.includes("/") || s.includes("\\"))) return null;
  return `${prefix}/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
}
