import type { Role } from "./user";

/** The value at a dotted path of the ID token's claims (`roles`, `realm_access.roles`, `groups`). */
function claimAt(claims: Record<string, unknown>, path: string): unknown {
  let value: unknown = claims;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function valuesOf(value: unknown): string[] {
  if (typeof value === "string") return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return [];
}

/** Operator when the roles claim holds any of the operator roles; any other signed-in user is a viewer. */
export function roleFromClaims(
  claims: Record<string, unknown>,
  claimPath: string,
  operatorRoles: readonly string[],
): Role {
  return valuesOf(claimAt(claims, claimPath)).some((r) => operatorRoles.includes(r)) ? "operator" : "viewer";
}

/** The same for an authenticating proxy's X-Forwarded-Groups (comma-separated). */
export function roleFromGroups(groups: string | null, operatorRoles: readonly string[]): Role {
  return valuesOf(groups).some((g) => operatorRoles.includes(g)) ? "operator" : "viewer";
}
