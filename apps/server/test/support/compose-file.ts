import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const REPO = fileURLToPath(new URL("../../../../", import.meta.url));

export interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  profiles?: string[];
  depends_on?: string[] | Record<string, { condition: string }>;
  environment?: Record<string, string>;
  command?: string | string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** docker-compose.yml as YAML, merge keys (`<<: *anchor`) applied as compose applies them. */
export function readComposeYaml(): unknown {
  return parse(readFileSync(`${REPO}docker-compose.yml`, "utf8"), { merge: true }) as unknown;
}

export class MissingVariableError extends Error {
  override readonly name = "MissingVariableError";
}

/**
 * Compose's variable interpolation (compose-spec "Interpolation"): `$$` is a literal `$`;
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`,
 * `${VAR:+replacement}`. Applied to every string value, as `docker compose config` does; a
 * required variable that is missing throws, naming it.
 */
export function interpolate<T>(value: T, env: Record<string, string | undefined>): T {
  if (typeof value === "string") return interpolateString(value, env) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => interpolate(item, env)) as T;
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)])) as T;
  return value;
}

function interpolateString(text: string, env: Record<string, string | undefined>): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced?: string, operator?: string, argument?: string, bare?: string) => {
      if (whole === "$$") return "$";
      const name = braced ?? bare!;
      const raw = env[name];
      const set = raw !== undefined;
      const nonEmpty = set && raw !== "";
      switch (operator) {
        case undefined:
          return raw ?? "";
        case ":-":
          return nonEmpty ? raw : argument!;
        case "-":
          return set ? raw : argument!;
        case ":?":
        case "?":
          if (operator === ":?" ? !nonEmpty : !set)
            throw new MissingVariableError(`required variable ${name} is missing a value: ${argument}`);
          return raw!;
        case ":+":
          return nonEmpty ? argument! : "";
        default:
          return argument!;
      }
    },
  );
}
