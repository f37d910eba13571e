import type { Logger } from "../logger";
import type { Clock } from "../clock";
import { FixedWindowLimiter } from "../security/fixed-window-limiter";
import { opsAuditSuppressed } from "./ops-metrics";

export type OpsAction = "failover" | "reconnect" | "automatic";
/** ok: done; refused: not allowed (detail says why); error: the action threw; timeout: it did not finish in time. */
export type OpsResult = "ok" | "refused" | "error" | "timeout";

export interface OpsAuditEntry {
  /** The token's subject; `anonymous` when no valid token was shown. */
  actor: string;
  action: OpsAction;
  result: OpsResult;
  /** Why it was refused (unauthorized, forbidden, rate_limited) or what failed; null for ok. */
  detail: string | null;
  /** The client address (TRUSTED_PROXIES applied). */
  address: string;
  /** Router state after the action, when it ran. */
  state: string | null;
  at: number;
}

/** Where audit rows go (source_events). */
export interface OpsAudit {
  record(entry: OpsAuditEntry): Promise<void>;
}

/**
 * Writes every ops attempt, but refusals only within a budget per minute: a flood of refused calls
 * (from many addresses, each under its own rate limit) must not become a flood of rows. Past the
 * budget a refusal is counted in ops_audit_suppressed_total and the first one of the minute logged.
 * Attempts that got past authentication (ok, error, timeout) are always written: the per-actor rate
 * limit already bounds them.
 */
export class OpsAuditTrail {
  private readonly refusals: FixedWindowLimiter;

  constructor(
    private readonly audit: OpsAudit,
    private readonly clock: Clock,
    private readonly log: Logger,
    refusalsPerMinute: number,
  ) {
    this.refusals = new FixedWindowLimiter(clock, refusalsPerMinute, 60_000);
  }

  async write(entry: Omit<OpsAuditEntry, "at">): Promise<void> {
    if (entry.result === "refused") {
      const taken = this.refusals.take("refusals");
      if (taken > this.refusals.limit) {
        opsAuditSuppressed.inc();
        if (taken === this.refusals.limit + 1)
          this.log.warn({ budget: this.refusals.limit }, "ops refusals over the audit budget: counting only");
        return;
      }
    }
    try {
      await this.audit.record({ ...entry, at: this.clock.now() });
    } catch (error) {
      // The action itself already happened (or was refused); a failed audit write is logged, not fatal.
      this.log.error({ err: error, action: entry.action, actor: entry.actor }, "ops audit write failed");
    }
  }
}
