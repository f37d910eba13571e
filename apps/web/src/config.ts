import { z } from "zod";

/**
 * The only reader of process.env in the web app. Read at request time (pages are dynamic), so one
 * build serves every environment; client components get the public part as props.
 */
const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");
const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()))
  .pipe(z.url().optional());

const envSchema = z.object({
  /** Where the Next server reaches the Torghut API (server to server). */
  TORGHUT_API_URL: z.url().default("http://127.0.0.1:5002"),
  /** Origin the browser opens the SignalR hub on; default: the page's host on the API's port. */
  NEXT_PUBLIC_TORGHUT_WS_ORIGIN: optionalUrl,
  /** Signs the short-lived viewer tokens for the hub; the same secret as the server's. */
  WS_AUTH_SECRET: z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim())),
  /** The seed's VITE_TORGHUT_VISUALS_ENABLED. */
  NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED: bool(true),
  /** Lag above which the visuals' lag pill turns amber. */
  TORGHUT_LAG_THRESHOLD_MS: z.coerce.number().int().positive().max(3_600_000).default(5_000),
  /** A watchlist price with no tick for this long is dimmed and says how old it is. */
  TORGHUT_STALE_AFTER_SECONDS: z.coerce.number().positive().max(86_400).default(10),
});

export interface WebConfig {
  apiUrl: string;
  wsOrigin: string | undefined;
  authSecret: string | undefined;
  visualsEnabled: boolean;
  lagThresholdMs: number;
  staleAfterMs: number;
}

/** What client components may know; never the secret. */
export interface PublicSettings {
  visualsEnabled: boolean;
  lagThresholdMs: number;
  staleAfterMs: number;
}

export class WebConfigError extends Error {
  override readonly name = "WebConfigError";
  readonly retryable = false;
}

export function loadWebConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Names the variable, never its value (it may be the secret).
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new WebConfigError(`Invalid web configuration: ${problems.join("; ")}`);
  }
  const v = parsed.data;
  return {
    apiUrl: v.TORGHUT_API_URL.replace(/\/$/, ""),
    wsOrigin: v.NEXT_PUBLIC_TORGHUT_WS_ORIGIN?.replace(/\/$/, ""),
    authSecret: v.WS_AUTH_SECRET,
    visualsEnabled: v.NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED,
    lagThresholdMs: v.TORGHUT_LAG_THRESHOLD_MS,
    staleAfterMs: v.TORGHUT_STALE_AFTER_SECONDS * 1000,
  };
}

export function publicSettings(config: WebConfig = loadWebConfig()): PublicSettings {
  return {
    visualsEnabled: config.visualsEnabled,
    lagThresholdMs: config.lagThresholdMs,
    staleAfterMs: config.staleAfterMs,
  };
}
