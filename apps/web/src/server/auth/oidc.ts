import { randomBytes } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import * as client from "openid-client";
import { z } from "zod";
import type { AuthConfig, AuthMode } from "@/config";
import { sessionKey } from "./keys";
import { roleFromClaims } from "./roles";
import type { User } from "./user";

type OidcMode = Extract<AuthMode, { kind: "oidc" }>;

/** The sign-in flow's state (PKCE verifier, state, nonce, where to return), sealed in a 10-minute cookie. */
export const FLOW_COOKIE = "torghut_signin";
export const FLOW_MAX_AGE_SECONDS = 600;

const CACHE = Symbol.for("torghut.web.oidcDiscovery");
type WithCache = typeof globalThis & { [CACHE]?: Map<string, Promise<client.Configuration>> };

/**
 * The provider's metadata, discovered once per process (a failed discovery is retried next time).
 * Plain http is allowed only for a loopback issuer (a provider in a test or on a laptop).
 */
function discover(mode: OidcMode): Promise<client.Configuration> {
  const cache = ((globalThis as WithCache)[CACHE] ??= new Map<string, Promise<client.Configuration>>());
  const key = `${mode.issuer} ${mode.clientId}`;
  let found: Promise<client.Configuration> | undefined = cache.get(key);
  if (found === undefined) {
    const issuer = new URL(mode.issuer);
    const loopbackHttp =
      issuer.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(issuer.hostname);
    found = client.discovery(issuer, mode.clientId, mode.clientSecret, undefined, {
      ...(loopbackHttp ? { execute: [client.allowInsecureRequests] } : {}),
      timeout: 10,
    });
    found.catch(() => cache.delete(key));
    cache.set(key, found);
  }
  return found;
}

const flowSchema = z.object({
  verifier: z.string(),
  state: z.string(),
  nonce: z.string(),
  returnTo: z.string(),
});

/** Only a path of this app: never an absolute URL (an open redirect). */
export function safeReturnTo(value: string | null): string {
  return value !== null && value.startsWith("/") && !value.startsWith("//") && !value.includes("\\")
    ? value
    : "/";
}

/** The provider's authorization URL and the sealed flow cookie to set before redirecting there. */
export async function beginSignIn(
  auth: AuthConfig,
  mode: OidcMode,
  returnTo: string,
): Promise<{ url: URL; flow: string }> {
  const config = await discover(mode);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: `${mode.publicUrl}/auth/callback`,
    scope: mode.scopes,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const flow = await new EncryptJWT({ verifier, state, nonce, returnTo })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt()
    .setExpirationTime(`${FLOW_MAX_AGE_SECONDS}s`)
    .encrypt(sessionKey(auth.sessionSecret));
  return { url, flow };
}

/**
 * Exchanges the code (PKCE, state and nonce checked by openid-client), and maps the ID token's
 * claims to a user. Throws on anything wrong: a forged or replayed callback signs nobody in.
 */
export async function finishSignIn(
  auth: AuthConfig,
  mode: OidcMode,
  callbackUrl: URL,
  flowCookie: string | undefined,
): Promise<{ user: User; returnTo: string }> {
  if (flowCookie === undefined)
    throw new Error("no sign-in in progress (the flow cookie is missing or expired)");
  const { payload } = await jwtDecrypt(flowCookie, sessionKey(auth.sessionSecret));
  const flow = flowSchema.parse(payload);
  const config = await discover(mode);
  // The public URL, not the one Next saw: behind a proxy they differ, and the provider compares it.
  const current = new URL(`${mode.publicUrl}/auth/callback${callbackUrl.search}`);
  const tokens = await client.authorizationCodeGrant(config, current, {
    pkceCodeVerifier: flow.verifier,
    expectedState: flow.state,
    expectedNonce: flow.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  if (claims === undefined) throw new Error("the provider sent no ID token");
  const name = [claims.name, claims.preferred_username, claims.email, claims.sub].find(
    (v): v is string => typeof v === "string" && v !== "",
  )!;
  return {
    user: {
      sub: claims.sub,
      name,
      email: typeof claims.email === "string" ? claims.email : null,
      role: roleFromClaims(claims, auth.rolesClaim, auth.operatorRoles),
      development: false,
      sid: randomBytes(12).toString("base64url"),
    },
    returnTo: safeReturnTo(flow.returnTo),
  };
}
