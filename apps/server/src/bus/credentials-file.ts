import { readFileSync } from "node:fs";
import { usernamePasswordAuthenticator, type Authenticator } from "nats";
import { z } from "zod";

const busCredentialsSchema = z.object({ user: z.string().min(1), password: z.string().min(1) });

/** The NATS credentials file could not be read or is not `{"user": "…", "password": "…"}`. */
export class BusCredentialsError extends Error {
  override readonly name = "BusCredentialsError";
  /** A file being rewritten or a Secret being refreshed is read again at the next attempt. */
  readonly retryable = true;
}

/** Reads BUS_CREDENTIALS_FILE. The error names the file, never its content. */
export function readBusCredentials(path: string): z.infer<typeof busCredentialsSchema> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new BusCredentialsError(`cannot read the NATS credentials file ${path}`, { cause: error });
  }
  const parsed = busCredentialsSchema.safeParse(safeJson(text));
  if (!parsed.success) throw new BusCredentialsError(`${path} must hold {"user": "…", "password": "…"}`);
  return parsed.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * User and password for NATS, read from `path` at every connect and reconnect: rotating them is
 * rewriting the file (a Kubernetes Secret volume does that by itself), no restart. The NATS server
 * keeps both users during the switch; when the old one is removed it drops the connections that
 * used it and the client comes back with what the file says then (docs/runbooks.md).
 */
export function credentialsFileAuthenticator(path: string): Authenticator {
  return usernamePasswordAuthenticator(
    () => readBusCredentials(path).user,
    () => readBusCredentials(path).password,
  );
}
