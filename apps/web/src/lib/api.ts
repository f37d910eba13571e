import { apiErrorBodySchema } from "@torghut/contracts";
import type { z } from "zod";

/**
 * Browser-side client for the same-origin Torghut API. Responses are parsed permissively (extra
 * fields pass) so a newer server does not break an older page; a non-2xx answer becomes ApiError
 * with the server's own message, which the error banners show.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly retryable: boolean;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = status === 0 || status === 429 || status >= 500;
  }
}

/**
 * The path a message may name: never the scheme, host or query. The server component calls the API
 * by its internal address (TORGHUT_API_URL), and these messages reach the page.
 */
const pathOf = (url: string): string => new URL(url, "http://localhost").pathname;

export async function getJson<T>(url: string, schema: z.ZodType<T>, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { cache: "no-store", ...init });
  } catch (error) {
    throw new ApiError(0, "network_error", `Network error calling ${pathOf(url)}`, { cause: error });
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const parsed = apiErrorBodySchema.safeParse(body);
    const code = parsed.success ? (parsed.data.error ?? "http_error") : "http_error";
    const message = parsed.success && parsed.data.message ? parsed.data.message : `HTTP ${response.status}`;
    throw new ApiError(response.status, code, message);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError(response.status, "bad_response", `Unexpected answer from ${pathOf(url)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

export const barsUrl = (
  symbol: string,
  interval: string,
  fromMs?: number,
  format: "objects" | "columns" = "objects",
): string =>
  `/api/torghut/ta/bars?symbol=${encodeURIComponent(symbol)}&interval=${interval}` +
  (fromMs === undefined ? "" : `&from=${fromMs}`) +
  (format === "objects" ? "" : `&format=${format}`);
export const signalsUrl = (symbol: string, interval: string, indicators: string, fromMs?: number): string =>
  `/api/torghut/ta/signals?symbol=${encodeURIComponent(symbol)}&interval=${interval}&indicators=${indicators}` +
  (fromMs === undefined ? "" : `&from=${fromMs}`);
export const latestUrl = (symbol: string): string =>
  `/api/torghut/ta/latest?symbol=${encodeURIComponent(symbol)}`;
export const sessionUrl = (symbols: readonly string[]): string =>
  `/api/torghut/ta/session?symbols=${symbols.map(encodeURIComponent).join(",")}`;
