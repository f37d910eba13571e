import type { IncomingMessage } from "node:http";
import { errors, jwtVerify, SignJWT } from "jose";
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

export interface VerifyOptions {
  /** WS_AUTH_SECRET. */
  secret: string;
  /** When set, the token's `aud` must contain it. */
  audience?: string | readonly string[];
  /** Epoch ms to verify against (tests); defaults to now. */
  now?: number;
  clockToleranceSeconds?: number;
}

const encoder = new TextEncoder();
const keyFor = (secret: string): Uint8Array => encoder.encode(secret);

/**
 * HS256 only (no `alg: none`, no key confusion). `sub` is required; `exp`, `nbf` and `aud` are checked
 * by jose and an `iat` in the future is refused. Roles come from `roles` and `admin: true`; channel
 * permissions from the optional `channels` claim.
 */
export async function verifyToken(token: string, options: VerifyOptions): Promise<Principal> {
  if (token.length === 0) throw new AuthError("missing_token", "no token");
  const now = options.now ?? Date.now();
  const tolerance = options.clockToleranceSeconds ?? 5;
  let payload;
  try {
    ({ payload } = await jwtVerify(token, keyFor(options.secret), {
      algorithms: ["HS256"],
      requiredClaims: ["sub"],
      currentDate: new Date(now),
      clockTolerance: tolerance,
      ...(options.audience === undefined ? {} : { audience: options.audience as string | string[] }),
    }));
  } catch (error) {
    if (error instanceof errors.JWTExpired)
      throw new AuthError("token_expired", "token expired", { cause: error });
    const reason = error instanceof errors.JOSEError ? error.code : "malformed";
    throw new AuthError("invalid_token", `token rejected (${reason})`, { cause: error });
  }
  if (typeof payload.sub !== "string" || payload.sub.length === 0) {
    throw new AuthError("invalid_token", "token has an empty sub");
  }
  if (typeof payload.iat === "number" && payload.iat > now / 1000 + tolerance) {
    throw new AuthError("invalid_token", "token issued in the future");
  }
  const roles = stringArray(payload.roles) ?? [];
  if (payload.admin === true && !roles.includes("admin")) roles.push("admin");
  const channels = stringArray(payload.channels);
  return {
    sub: payload.sub,
    roles,
    ...(channels === undefined ? {} : { channels }),
    ...(typeof payload.exp === "number" ? { exp: payload.exp } : {}),
  };
}

function stringArray(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.filter((v): v is string => typeof v === "string");
}

export interface SignOptions {
  secret: string;
  sub: string;
  admin?: boolean;
  /** Seconds, or `90s` / `15m` / `1h` / `7d`. Default 1h. */
  ttl?: number | string;
  audience?: string;
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
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + parseTtl(options.ttl ?? "1h"));
  if (options.audience !== undefined) jwt.setAudience(options.audience);
  return jwt.sign(keyFor(options.secret));
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
