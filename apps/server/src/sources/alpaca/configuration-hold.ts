import type { Logger } from "../../logger";
import type { CredentialsProvider } from "./credentials";
import type { AlpacaConfigurationError } from "./errors";
import * as metrics from "./metrics";
import type { SessionTimers } from "./session-timers";

/**
 * The stream client's stop on a configuration error (bad keys, a feed not in the plan, a URL with
 * no stream). It lifts when the credentials change (polled), when `clear()` is called (an operator's
 * reconnect), or — for errors that may be passing, such as a host that does not resolve yet — at a
 * slow retry. `resume` is then called to connect again.
 */
export class ConfigurationHold {
  private error: AlpacaConfigurationError | null = null;
  /** The credentials' fingerprint at the last connect: a different one lifts the hold. */
  fingerprint: string | null = null;

  constructor(
    private readonly timers: SessionTimers,
    private readonly settings: { credentials: CredentialsProvider; credentialsPollMs: number },
    private readonly log: Logger,
    private readonly resume: (why: "credentials" | "retry") => void,
  ) {}

  get active(): boolean {
    return this.error !== null;
  }

  enter(error: AlpacaConfigurationError, retryAfterMs?: number): void {
    const { timers, log } = this;
    this.error = error;
    metrics.alpacaConfigurationError.set(1);
    const pace = retryAfterMs === undefined ? "not retrying" : `retrying every ${retryAfterMs / 1000} s`;
    log.error({ code: error.code }, `Alpaca configuration error, ${pace}: ${error.message}`);
    timers.every("credentials", this.settings.credentialsPollMs, () => void this.checkCredentials());
    if (retryAfterMs !== undefined) {
      timers.set("reconnect", retryAfterMs, () => {
        this.clear();
        this.resume("retry");
      });
    }
  }

  clear(): void {
    if (this.error === null) return;
    this.error = null;
    this.timers.clear("credentials");
    metrics.alpacaConfigurationError.set(0);
  }

  private async checkCredentials(): Promise<void> {
    const fingerprint = await this.settings.credentials.fingerprint();
    if (this.error === null || fingerprint === null || fingerprint === this.fingerprint) return;
    this.log.info("Alpaca credentials changed; retrying");
    this.clear();
    this.resume("credentials");
  }
}
