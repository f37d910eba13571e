import { readFileSync } from "node:fs";
import proxyaddr from "proxy-addr";
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

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));
const csv = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );
/** A secret of at least 32 bytes (HMAC keys and the session cookie's key). The message never quotes it. */
const secret = optionalText.refine((v) => v === undefined || Buffer.byteLength(v, "utf8") >= 32, {
  message: "must be at least 32 bytes (e.g. openssl rand -hex 32)",
});

const envSchema = z.object({
  /** Where the Next server reaches the Torghut API (server to server). */
  TORGHUT_API_URL: z.url().default("http://127.0.0.1:5002"),
  /** Origin the browser opens the SignalR hub on; default: the page's host on the API's port. */
  NEXT_PUBLIC_TORGHUT_WS_ORIGIN: optionalUrl,
  /** Signs the short-lived hub and ops tokens for signed-in users; the same secret as the server's. */
  WS_AUTH_SECRET: secret,
  /**
   * Instead: the server's WS_AUTH_SECRET_FILE (one secret per line, the first signs); read at every
   * signing, so a rotation is a rewrite of the file with no restart.
   */
  WS_AUTH_SECRET_FILE: optionalText,
  /** The `iss` of those tokens; the server's WS_TOKEN_ISSUER. */
  WS_TOKEN_ISSUER: z.string().trim().min(1).default("torghut"),

  // Sign-in. One of: an OpenID Connect provider (AUTH_OIDC_*), an authenticating proxy
  // (AUTH_TRUSTED_PROXIES), or the development operator (AUTH_DEV_OPERATOR, set by `npm start`).
  /** The provider's issuer URL (discovery at /.well-known/openid-configuration). */
  AUTH_OIDC_ISSUER: optionalUrl,
  AUTH_OIDC_CLIENT_ID: optionalText,
  AUTH_OIDC_CLIENT_SECRET: optionalText,
  AUTH_OIDC_SCOPES: z.string().trim().default("openid profile email"),
  /** The claim (a dotted path such as `realm_access.roles` works) that lists the user's roles. */
  AUTH_ROLES_CLAIM: z.string().trim().min(1).default("roles"),
  /** Values of that claim (or of X-Forwarded-Groups) that make an operator; anyone else signed in is a viewer. */
  AUTH_OPERATOR_ROLES: csv("operator,admin"),
  /** This app's public URL: the OIDC redirect (`/auth/callback`) and the origin CSRF checks expect. */
  AUTH_URL: optionalUrl,
  /** Encrypts session cookies and keys CSRF tokens; ≥ 32 bytes. Required with OIDC. */
  AUTH_SESSION_SECRET: secret,
  /** A session ends this long after sign-in. */
  AUTH_SESSION_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(8 * 3600),
  /**
   * Addresses or CIDRs of an authenticating proxy (oauth2-proxy style) whose X-Forwarded-User,
   * -Email and -Groups name the user. From anyone else those headers are ignored.
   */
  AUTH_TRUSTED_PROXIES: csv(""),
  /** Sign every visitor in as a development operator (a banner says so). Refused in production. */
  AUTH_DEV_OPERATOR: bool(false),
  /**
   * Set by the web server's launcher (server.mjs) for this process: the key that proves an
   * `x-torghut-peer` header (the TCP peer's address) came from the launcher and not from a client.
   */
  TORGHUT_PEER_KEY: optionalText,
  /** NODE_ENV as the web server's launcher found it (server.mjs), before defaulting it to production. */
  TORGHUT_LAUNCH_NODE_ENV: z.string().default("unset"),
  NODE_ENV: z.string().default("production"),
  /** The seed's VITE_TORGHUT_VISUALS_ENABLED. */
  NEXT_PUBLIC_TORGHUT_VISUALS_ENABLED: bool(true),
  /** Lag above which the visuals' lag pill turns amber. */
  TORGHUT_LAG_THRESHOLD_MS: z.coerce.number().int().positive().max(3_600_000).default(5_000),
  /** A watchlist price with no tick for this long is dimmed and says how old it is. */
  TORGHUT_STALE_AFTER_SECONDS: z.coerce.number().positive().max(86_400).default(10),
});

export type AuthMode =
  | {
      kind: "oidc";
      issuer: string;
      clientId: string;
      clientSecret: string;
      scopes: string;
      publicUrl: string;
    }
  | { kind: "proxy"; trustedProxies: readonly string[] }
  | { kind: "development" };

export interface AuthConfig {
  mode: AuthMode;
  rolesClaim: string;
  operatorRoles: readonly string[];
  /** Undefined outside OIDC: a random key for this process is used then. */
  sessionSecret: string | undefined;
  sessionMaxAgeSeconds: number;
  /** The public URL, when known (always with OIDC): CSRF checks expect its origin. */
  publicUrl: string | undefined;
  tokenIssuer: string;
  /** See TORGHUT_PEER_KEY; undefined when not launched by server.mjs (no peer address is known then). */
  peerKey: string | undefined;
}

export interface WebConfig {
  apiUrl: string;
  wsOrigin: string | undefined;
  authSecret: string | undefined;
  authSecretFile: string | undefined;
  /** `next dev`: React needs eval there, so the CSP allows it. */
  development: boolean;
  visualsEnabled: boolean;
  lagThresholdMs: number;
  staleAfterMs: number;
}

/**
 * The secret that signs hub and ops tokens now: WS_AUTH_SECRET, or the first secret in
 * WS_AUTH_SECRET_FILE as the file reads at this call. Undefined when there is none; a file that cannot
 * be used is logged by name, never by content, and signs nothing (the caller answers 503).
 */
export function signingSecret(config: WebConfig): string | undefined {
  if (config.authSecret !== undefined || config.authSecretFile === undefined) return config.authSecret;
  let text: string;
  try {
    text = readFileSync(config.authSecretFile, "utf8");
  } catch (error) {
    console.error(
      `[auth] cannot read WS_AUTH_SECRET_FILE ${config.authSecretFile}: ${(error as Error).message}`,
    );
    return undefined;
  }
  const first = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .find((line) => line !== "" && !line.startsWith("#"));
  if (first === undefined || !secret.safeParse(first).success) {
    console.error(
      `[auth] WS_AUTH_SECRET_FILE ${config.authSecretFile}: the first secret is missing or under 32 bytes`,
    );
    return undefined;
  }
  return first;
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

function parseEnv(env: Record<string, string | undefined>): z.infer<typeof envSchema> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    // Names the variable, never its value (it may be the secret).
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new WebConfigError(`Invalid web configuration: ${problems.join("; ")}`);
  }
  return parsed.data;
}

/** How people sign in; throws WebConfigError when no way is configured where one is required. */
export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  const v = parseEnv(env);
  return {
    mode: authMode(v),
    rolesClaim: v.AUTH_ROLES_CLAIM,
    operatorRoles: v.AUTH_OPERATOR_ROLES,
    sessionSecret: v.AUTH_SESSION_SECRET,
    sessionMaxAgeSeconds: v.AUTH_SESSION_MAX_AGE_SECONDS,
    publicUrl: v.AUTH_URL?.replace(/\/$/, ""),
    tokenIssuer: v.WS_TOKEN_ISSUER,
    peerKey: v.TORGHUT_PEER_KEY,
  };
}

export function loadWebConfig(env: NodeJS.ProcessEnv = process.env): WebConfig {
  const v = parseEnv(env);
  return {
    apiUrl: v.TORGHUT_API_URL.replace(/\/$/, ""),
    wsOrigin: v.NEXT_PUBLIC_TORGHUT_WS_ORIGIN?.replace(/\/$/, ""),
    authSecret: v.WS_AUTH_SECRET,
    authSecretFile: v.WS_AUTH_SECRET_FILE,
    development: v.NODE_ENV === "development",
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

/**
 * Who signs people in. An identity provider wins, then an authenticating proxy; with neither, the
 * development operator only where it was asked for (`npm start`, `next dev`) and never when the app
 * was launched with NODE_ENV=production: a production deployment without sign-in refuses to start.
 */
function authMode(v: z.infer<typeof envSchema>): AuthMode {
  const oidc = [v.AUTH_OIDC_ISSUER, v.AUTH_OIDC_CLIENT_ID, v.AUTH_OIDC_CLIENT_SECRET];
  if (oidc.some((x) => x !== undefined)) {
    if (oidc.some((x) => x === undefined))
      throw new WebConfigError(
        "Invalid web configuration: AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID and AUTH_OIDC_CLIENT_SECRET go together",
      );
    if (v.AUTH_URL === undefined)
      throw new WebConfigError(
        "Invalid web configuration: AUTH_URL (this app's public URL) is needed with OIDC",
      );
    if (v.AUTH_SESSION_SECRET === undefined)
      throw new WebConfigError("Invalid web configuration: AUTH_SESSION_SECRET is needed with OIDC");
    return {
      kind: "oidc",
      issuer: v.AUTH_OIDC_ISSUER!,
      clientId: v.AUTH_OIDC_CLIENT_ID!,
      clientSecret: v.AUTH_OIDC_CLIENT_SECRET!,
      scopes: v.AUTH_OIDC_SCOPES,
      publicUrl: v.AUTH_URL.replace(/\/$/, ""),
    };
  }
  if (v.AUTH_TRUSTED_PROXIES.length > 0) {
    if (v.TORGHUT_PEER_KEY === undefined)
      throw new WebConfigError(
        "Invalid web configuration: AUTH_TRUSTED_PROXIES needs the web server started by apps/web/server.mjs, " +
          "which tells the app each request's TCP peer (plain `next start` cannot)",
      );
    try {
      proxyaddr.compile([...v.AUTH_TRUSTED_PROXIES]);
    } catch (error) {
      throw new WebConfigError(
        `Invalid web configuration: AUTH_TRUSTED_PROXIES: ${(error as Error).message}`,
      );
    }
    return { kind: "proxy", trustedProxies: v.AUTH_TRUSTED_PROXIES };
  }
  const launchedForProduction = v.TORGHUT_LAUNCH_NODE_ENV === "production";
  if ((v.AUTH_DEV_OPERATOR || v.NODE_ENV === "development") && !launchedForProduction)
    return { kind: "development" };
  throw new WebConfigError(
    "Invalid web configuration: no sign-in configured. Set AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID, " +
      "AUTH_OIDC_CLIENT_SECRET and AUTH_URL (an OpenID Connect provider), or AUTH_TRUSTED_PROXIES (an " +
      "authenticating proxy). AUTH_DEV_OPERATOR (everyone an operator) is for development only" +
      (launchedForProduction ? " and is refused with NODE_ENV=production." : "."),
  );
}
