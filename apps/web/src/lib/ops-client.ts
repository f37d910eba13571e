import { opsActionResultSchema } from "@torghut/contracts";
import { getJson } from "./api";

export type OpsAction = "failover" | "reconnect" | "automatic";

/** The name of the meta tag the layout renders the signed-in user's CSRF token into. */
export const CSRF_META = "torghut-csrf";

/**
 * Runs an ops action as the signed-in operator: a same-origin POST to /api/ops/{action} with the
 * page's CSRF token; the session cookie says who. Rejects with ApiError (401 signed out, 403 a viewer
 * or a CSRF refusal, 429 rate-limited, 409 not the leader, 5xx the action failed or timed out).
 */
export function runOpsAction(action: OpsAction) {
  const csrf = document.querySelector<HTMLMetaElement>(`meta[name="${CSRF_META}"]`)?.content ?? "";
  return getJson(`/api/ops/${action}`, opsActionResultSchema, {
    method: "POST",
    headers: { "x-csrf-token": csrf },
    credentials: "same-origin",
  });
}
