import { createHash, randomBytes } from "node:crypto";

const PROCESS_KEY = Symbol.for("torghut.web.processKey");
type WithKey = typeof globalThis & { [PROCESS_KEY]?: Buffer };

/**
 * The 32-byte key for session cookies and CSRF tokens: derived from AUTH_SESSION_SECRET, or random
 * for this process when there is none (proxy and development modes: nothing to keep across restarts
 * but CSRF tokens, which a page reload renews). Kept on globalThis because Next may load this module
 * once per bundle (proxy, pages, route handlers) and all must agree.
 */
export function sessionKey(secret: string | undefined): Uint8Array {
  if (secret !== undefined) return createHash("sha256").update(`torghut-session:${secret}`).digest();
  const holder = globalThis as WithKey;
  holder[PROCESS_KEY] ??= randomBytes(32);
  return holder[PROCESS_KEY];
}
