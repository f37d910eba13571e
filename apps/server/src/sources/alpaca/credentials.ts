import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { AlpacaConfigurationError } from "./errors";

export interface AlpacaCredentials {
  keyId: string;
  secretKey: string;
}

/**
 * Where the stream and REST clients get keys. `load()` is called at every connect so a rotated
 * credentials file is used by the next session without a restart. `fingerprint()` changes when the
 * source changes; the client polls it while stopped on a configuration error to resume by itself.
 */
export interface CredentialsProvider {
  load(): Promise<AlpacaCredentials>;
  /** A digest of the current source (never the secret itself), or null when unreadable. */
  fingerprint(): Promise<string | null>;
}

/** Keys fixed at start-up (ALPACA_KEY_ID / ALPACA_SECRET_KEY). */
export function staticCredentials(credentials: AlpacaCredentials): CredentialsProvider {
  const digest = digestOf(`${credentials.keyId}\n${credentials.secretKey}`);
  return {
    load: () => Promise.resolve({ ...credentials }),
    fingerprint: () => Promise.resolve(digest),
  };
}

const jsonFileSchema = z.looseObject({
  keyId: z.string().trim().min(1),
  secretKey: z.string().trim().min(1),
});

/**
 * ALPACA_CREDENTIALS_FILE, re-read on every call. Two formats are accepted:
 * - JSON: `{"keyId": "...", "secretKey": "..."}`
 * - key=value lines (a Kubernetes-secret or .env style file): `ALPACA_KEY_ID=...` and
 *   `ALPACA_SECRET_KEY=...` (also `keyId=` / `secretKey=`); `#` comments and blank lines are skipped.
 * Error messages name the file and the problem, never its content.
 */
export function fileCredentials(path: string): CredentialsProvider {
  return {
    async load() {
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch (error) {
        throw new AlpacaConfigurationError(`cannot read credentials file ${path}`, null, { cause: error });
      }
      return parseCredentialsText(text, path);
    },
    async fingerprint() {
      try {
        return digestOf(await readFile(path, "utf8"));
      } catch {
        return null;
      }
    },
  };
}

export function parseCredentialsText(text: string, path = "credentials file"): AlpacaCredentials {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch {
      // The parse error quotes the content, which may contain the secret: drop it.
      throw new AlpacaConfigurationError(`${path} is not valid JSON`, null);
    }
    const parsed = jsonFileSchema.safeParse(raw);
    if (!parsed.success)
      throw new AlpacaConfigurationError(`${path} must have non-empty "keyId" and "secretKey"`, null);
    return { keyId: parsed.data.keyId, secretKey: parsed.data.secretKey };
  }
  const values = new Map<string, string>();
  for (const line of trimmed.split(/\r?\n/)) {
    const entry = line.trim();
    if (entry === "" || entry.startsWith("#")) continue;
    const eq = entry.indexOf("=");
    if (eq <= 0) continue;
    const key = entry
      .slice(0, eq)
      .trim()
      .replace(/^export\s+/, "");
    values.set(key, unquote(entry.slice(eq + 1).trim()));
  }
  const keyId = values.get("ALPACA_KEY_ID") ?? values.get("keyId") ?? "";
  const secretKey = values.get("ALPACA_SECRET_KEY") ?? values.get("secretKey") ?? "";
  if (keyId === "" || secretKey === "") {
    throw new AlpacaConfigurationError(`${path} must set ALPACA_KEY_ID and ALPACA_SECRET_KEY`, null);
  }
  return { keyId, secretKey };
}

/** No keys at all: a configuration error the client reports instead of connecting. */
export function missingCredentials(): CredentialsProvider {
  return {
    load: () => Promise.reject(new AlpacaConfigurationError("no Alpaca credentials configured", null)),
    fingerprint: () => Promise.resolve(null),
  };
}

/** Picks the provider from config values: the file wins over env keys, since it can be rotated. */
export function credentialsFromConfig(values: {
  ALPACA_CREDENTIALS_FILE?: string | undefined;
  ALPACA_KEY_ID?: string | undefined;
  ALPACA_SECRET_KEY?: string | undefined;
}): CredentialsProvider {
  if (values.ALPACA_CREDENTIALS_FILE !== undefined) return fileCredentials(values.ALPACA_CREDENTIALS_FILE);
  if (values.ALPACA_KEY_ID !== undefined && values.ALPACA_SECRET_KEY !== undefined) {
    return staticCredentials({ keyId: values.ALPACA_KEY_ID, secretKey: values.ALPACA_SECRET_KEY });
  }
  return missingCredentials();
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0])
    return value.slice(1, -1);
  return value;
}

function digestOf(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
