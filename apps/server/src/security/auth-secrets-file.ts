import { readFileSync, statSync } from "node:fs";
import { Counter } from "prom-client";
import { registry } from "../metrics/registry";
import type { Logger } from "../logger";

/**
 * WS_AUTH_SECRET_FILE: the token secrets as a file, one per line — the first signs (the web app's
 * hub and ops tokens), every line verifies. A Kubernetes Secret volume rewrites the file in place,
 * so a rotation is editing the Secret: no restart, no mass logout (docs/security.md).
 */
export class AuthSecretsFileError extends Error {
  override readonly name = "AuthSecretsFileError";
  /** A file half-written by a rotation reads whole at the next attempt. */
  readonly retryable = true;
}

const reloadFailures = new Counter({
  name: "torghut_auth_secrets_reload_failures_total",
  help: "Re-reads of WS_AUTH_SECRET_FILE that failed; the secrets read before stay in force",
  registers: [registry],
});
const reloads = new Counter({
  name: "torghut_auth_secrets_reloads_total",
  help: "Times WS_AUTH_SECRET_FILE changed and its new secrets took effect",
  registers: [registry],
});

/**
 * Reads the file: blank lines and `#` comments are skipped, every other line is a secret that must
 * pass `check` (length, no placeholder). Errors name the file and the line, never a secret.
 */
export function readAuthSecrets(path: string, check: (secret: string) => string | undefined): string[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new AuthSecretsFileError(`cannot read WS_AUTH_SECRET_FILE ${path}`, { cause: error });
  }
  const secrets: string[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const problem = check(line);
    if (problem !== undefined)
      throw new AuthSecretsFileError(`${path} line ${index + 1}: the secret ${problem}`);
    secrets.push(line);
  }
  if (secrets.length === 0) throw new AuthSecretsFileError(`${path} holds no secret`);
  return secrets;
}

/**
 * The secrets in force, re-read when the file's modification time or size changes (checked at most
 * once per `recheckMs`, so a connection storm costs one stat a second). A bad rewrite keeps the last
 * good secrets — refusing every token because of a typo would log everyone out — and is logged and
 * counted until it is fixed.
 */
export class AuthSecretsFile {
  private secrets: readonly string[];
  private stamp: string;
  private checkedAt: number;
  private failing = false;

  constructor(
    private readonly path: string,
    private readonly check: (secret: string) => string | undefined,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly recheckMs = 1_000,
  ) {
    this.stamp = this.fileStamp();
    this.secrets = readAuthSecrets(path, check);
    this.checkedAt = now();
  }

  current(): readonly string[] {
    const now = this.now();
    if (now - this.checkedAt < this.recheckMs) return this.secrets;
    this.checkedAt = now;
    const stamp = this.fileStamp();
    if (stamp === this.stamp && !this.failing) return this.secrets;
    try {
      this.secrets = readAuthSecrets(this.path, this.check);
      this.stamp = stamp;
      this.failing = false;
      reloads.inc();
      this.logger.info(
        { secrets: this.secrets.length },
        "WS_AUTH_SECRET_FILE changed: new token secrets in force",
      );
    } catch (error) {
      reloadFailures.inc();
      if (!this.failing) {
        this.logger.error(
          { err: error },
          "WS_AUTH_SECRET_FILE is unreadable: the previous secrets stay in force",
        );
      }
      this.failing = true;
    }
    return this.secrets;
  }

  private fileStamp(): string {
    try {
      const stat = statSync(this.path);
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
    } catch {
      return "missing";
    }
  }
}
