import { cookies, headers } from "next/headers";
import { loadAuthConfig } from "@/config";
import { csrfToken } from "./csrf";
import { resolveUser } from "./identity";
import { SESSION_COOKIE } from "./session";
import type { User } from "./user";

/** The signed-in user of the request being rendered (server components), with the CSRF token for its page. */
export async function currentUser(): Promise<{ user: User; csrf: string } | null> {
  const auth = loadAuthConfig();
  const resolved = await resolveUser(
    await headers(),
    (await cookies()).get(SESSION_COOKIE)?.value,
    auth,
    Date.now(),
  );
  return resolved.user === null ? null : { user: resolved.user, csrf: csrfToken(resolved.user, auth) };
}
