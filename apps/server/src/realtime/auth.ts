import type { IncomingMessage } from "node:http";
import { errors, jwtVerify, SignJWT, type JWTPayload } from "jose";
import type { Principal } from "./transport";

export type AuthFailure = "missing_token" | "invalid_token" | "token_expired";

/** Why a token was refused. The message never contains the token itself. */
export class AuthError extends Error {
  override readonly name = "AuthError";
  readonly retryable = false;

  constructor(
    readonly code: AuthFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Audiences keep the two kinds of token apart: a hub token (what the web app hands every signed-in
 * browser) opens /ws, SignalR and Socket.IO and nothing else; only an ops token reaches the ops POSTs.
 */
export const HUB_AUDIENCE = "torghut-hub";
export const OPS_AUDIENCE = "torghut-ops";
export type TokenAudience = typeof HUB_AUDIENCE | typeof OPS_AUDIENCE;
/** WS_TOKEN_ISSUER's default: the `iss` every Torghut token carries and every check requires. */
export const DEFAULT_ISSUER = "torghut";
/** MAX_TOKEN_TTL_SECONDS's default: a day covers an on-call shift; a longer token is refused. */
export const DEFAULT_MAX_TTL_SECONDS = 86_400;

export interface TokenPolicy {
  /**
   * The secrets a signature may verify with, in order: WS_AUTH_SECRET, then WS_AUTH_SECRET_PREVIOUS
   * during a rotation (tokens signed before it keep working until they expire: nobody is logged out).
   */
  secrets: readonly string[] | (() => readonly string[]);
  issuer?: string;
  maxTtlSeconds?: number;
  clockToleranceSeconds?: number;
}

export interface VerifyOptions extends TokenPolicy {
  audience: TokenAudience;
  /** Epoch ms to verify against (tests); defaults to now. */
  now?: number;
}

const encoder = new TextEncoder();
const keyFor = (secret: string): Uint8Array => encoder.encode(secret);

/**
 * HS256 only (no `alg: none`, no key confusion). `sub`, `exp` and `iat` are required, `iss` and `aud`
 * must match, `nbf` is honoured, an `iat` in the future is refused and so is a lifetime (`exp - iat`)
 * over the cap. Roles come from `roles` and `admin: true`; channel permissions from `channels`.
 */
export async function verifyToken(token: string, options: VerifyOptions): Promise<Principal> {
  if (token.length === 0) throw new AuthError("missing_token", "no token");
  // A function is asked at every verification: WS_AUTH_SECRET_FILE's secrets change without a restart.
  const secrets = typeof options.secrets === "function" ? options.secrets() : options.secrets;
  if (secrets.length === 0) throw new AuthError("invalid_token", "no verification key configured");
  const now = options.now ?? Date.now();
  const tolerance = options.clockToleranceSeconds ?? 5;
  const payload = await verifiedPayload(token, { ...options, secrets }, now, tolerance);
  if (typeof payload.sub !== "string" || payload.sub.length === 0) {
    throw new AuthError("invalid_token", "token has an empty sub");
  }
  const iat = payload.iat!;
  const exp = payload.exp!;
  if (iat > now / 1000 + tolerance) throw new AuthError("invalid_token", "token issued in the future");
  const maxTtl = options.maxTtlSeconds ?? DEFAULT_MAX_TTL_SECONDS;
  if (exp - iat > maxTtl) {
    throw new AuthError("invalid_token", `token lifetime ${exp - iat}s is over the ${maxTtl}s cap`);
  }
  const roles = stringArray(payload.roles) ?? [];
  if (payload.admin === true && !roles.includes("admin")) roles.push("admin");
  const channels = stringArray(payload.channels);
  return { sub: payload.sub, roles, ...(channels === undefined ? {} : { channels }), exp };
}

/** The payload once a secret verifies the signature; a signature failure tries the next secret. */
async function verifiedPayload(
  token: string,
  options: VerifyOptions & { secrets: readonly string[] },
  now: number,
  tolerance: number,
): Promise<JWTPayload> {
  let last: unknown = null;
  for (const secret of options.secrets) {
    try {
      const { payload } = await jwtVerify(token, keyFor(secret), {
        algorithms: ["HS256"],
        requiredClaims: ["sub", "exp", "iat"],
        issuer: options.issuer ?? DEFAULT_ISSUER,
        audience: options.audience,
        currentDate: new Date(now),
        clockTolerance: tolerance,
      });
      return payload;
    } catch (error) {
      last = error;
      if (!(error instanceof errors.JWSSignatureVerificationFailed)) break;
    }
  }
  if (last instanceof errors.JWTExpired)
    throw new AuthError("token_expired", "token expired", { cause: last });
  const reason =
    last instanceof errors.JWTClaimValidationFailed
      ? `${last.claim} ${last.reason}`
      : last instanceof errors.JOSEError
        ? last.code
        : "malformed";
  throw new AuthError("invalid_token", `token rejected (${reason})`, { cause: last });
}

function stringArray(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === "string");
}

/**
 * One token policy for the process (built from config): transports and the ops routes ask it with
 * their own audience.
 */
export class TokenVerifier {
  constructor(private readonly policy: TokenPolicy) {}

  verify(token: string, audience: TokenAudience, now?: number): Promise<Principal> {
    return verifyToken(token, { ...this.policy, audience, ...(now === undefined ? {} : { now }) });
  }

  /** A verifier bound to one audience, as the realtime transports take it. */
  forAudience(audience: TokenAudience): (token: string) => Promise<Principal> {
    return (token) => this.verify(token, audience);
  }
}

export interface SignOptions {
  secret: string;
  sub: string;
  /** Default: the hub audience. An ops token needs OPS_AUDIENCE. */
  audience?: TokenAudience | readonly TokenAudience[];
  issuer?: string;
  admin?: boolean;
  /** Seconds, or `90s` / `15m` / `1h` / `7d`. Default 1h. */
  ttl?: number | string;
  channels?: readonly string[];
  /** Epoch ms used for `iat` (tests); defaults to now. */
  now?: number;
}

export function parseTtl(ttl: number | string): number {
  if (typeof ttl === "number") return ttl;
  const match = /^(\d+)\s*([smhd]?)$/.exec(ttl.trim());
  if (match === null) throw new AuthError("invalid_token", `bad ttl ${ttl}: use e.g. 90s, 15m, 1h, 7d`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as "" | "s" | "m" | "h" | "d"];
  return Number(match[1]) * unit;
}

export async function signToken(options: SignOptions): Promise<string> {
  const iat = Math.floor((options.now ?? Date.now()) / 1000);
  const claims: Record<string, unknown> = {};
  if (options.admin === true) {
    claims.admin = true;
    claims.roles = ["admin"];
  }
  if (options.channels !== undefined) claims.channels = [...options.channels];
  const audience = options.audience ?? HUB_AUDIENCE;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuer(options.issuer ?? DEFAULT_ISSUER)
    .setAudience(typeof audience === "string" ? audience : [...audience])
    .setIssuedAt(iat)
    .setExpirationTime(iat + parseTtl(options.ttl ?? "1h"))
    .sign(keyFor(options.secret));
}

/** `Authorization: Bearer …` first, then `?token=` (browsers cannot set headers on a WebSocket). */
export function tokenFromRequest(
  req: IncomingMessage,
  queryNames: readonly string[] = ["token"],
): string | null {
  const header = req.headers.authorization;
  if (typeof header === "string") {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match !== null) return match[1]!;
  }
  const query = (req.url ?? "").indexOf("?");
  if (query === -1) return null;
  const params = new URLSearchParams((req.url ?? "").slice(query + 1));
  for (const name of queryNames) {
    const token = params.get(name);
    if (token !== null && token !== "") return token;
  }
  return null;
}
