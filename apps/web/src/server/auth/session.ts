import { EncryptJWT, errors, jwtDecrypt } from "jose";
import { z } from "zod";
import type { User } from "./user";

/** HttpOnly, SameSite=Lax, Secure over https; the value is encrypted (A256GCM), so it is opaque to the browser. */
export const SESSION_COOKIE = "torghut_session";

const sessionClaims = z.object({
  sub: z.string().min(1),
  name: z.string(),
  email: z.string().nullable(),
  role: z.enum(["viewer", "operator"]),
  sid: z.string().min(1),
});

export async function sealSession(
  user: User,
  key: Uint8Array,
  maxAgeSeconds: number,
  nowMs: number,
): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new EncryptJWT({ name: user.name, email: user.email, role: user.role, sid: user.sid })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setSubject(user.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + maxAgeSeconds)
    .encrypt(key);
}

export type OpenedSession = { user: User } | { user: null; reason: "none" | "expired" | "invalid" };

/** The session's user; `expired` once its time is up (the sign-in page says so), `invalid` when tampered with. */
export async function openSession(
  value: string | undefined,
  key: Uint8Array,
  nowMs: number,
): Promise<OpenedSession> {
  if (value === undefined || value === "") return { user: null, reason: "none" };
  try {
    const { payload } = await jwtDecrypt(value, key, { currentDate: new Date(nowMs), clockTolerance: 0 });
    const claims = sessionClaims.parse(payload);
    return { user: { ...claims, development: false } };
  } catch (error) {
    return { user: null, reason: error instanceof errors.JWTExpired ? "expired" : "invalid" };
  }
}

/** Cookie attributes for the session (and the short-lived sign-in flow cookie). */
export function cookieOptions(secure: boolean, maxAgeSeconds: number) {
  return { httpOnly: true, secure, sameSite: "lax" as const, path: "/", maxAge: maxAgeSeconds };
}
