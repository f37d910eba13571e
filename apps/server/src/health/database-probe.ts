import type { Database } from "@torghut/db";
import { Gauge } from "prom-client";
import type { Clock, TimerHandle } from "../clock";
import type { Logger } from "../logger";
import { registry } from "../metrics/registry";

export const databaseReachableGauge = new Gauge({
  name: "torghut_database_reachable",
  help: "1 while this process's database answers its readiness probe (SELECT 1 within the deadline)",
  registers: [registry],
});

/** What /readyz and /health say about the database. */
export interface DatabaseView {
  driver: "postgres" | "pglite";
  reachable: boolean;
  lastOkAt: string | null;
  /** Since when the probe has failed (null while it answers). */
  failingSince: string | null;
  lastError: string | null;
}

export interface DatabaseProbeOptions {
  intervalMs: number;
  /** A probe unanswered this long counts as failed, whatever the pool's own deadlines. */
  timeoutMs: number;
  clock: Clock;
  logger: Logger;
}

/**
 * Asks the database `SELECT 1` on a timer, so readiness knows it cannot commit ticks even while no
 * tick is waiting (market closed) and even while a write hangs on a frozen server. The probe never
 * sits on the live path: prices flow whatever it finds.
 */
export class DatabaseProbe {
  private timer: TimerHandle | null = null;
  private inFlightSince: number | null = null;
  private lastOkAt: number | null = null;
  private failingSince: number | null = null;
  private lastError: string | null = null;

  constructor(
    private readonly database: Pick<Database, "query" | "driver">,
    private readonly options: DatabaseProbeOptions,
  ) {}

  start(): void {
    if (this.timer !== null) return;
    this.check();
    this.timer = this.options.clock.setInterval(() => this.check(), this.options.intervalMs);
  }

  stop(): void {
    if (this.timer !== null) this.options.clock.clearInterval(this.timer);
    this.timer = null;
  }

  view(): DatabaseView {
    const now = this.options.clock.now();
    // A probe still waiting past its deadline is a failure now, not when the pool gives up.
    if (this.inFlightSince !== null && now - this.inFlightSince > this.options.timeoutMs) {
      this.fail(`no answer within ${this.options.timeoutMs} ms`, this.inFlightSince);
    }
    return {
      driver: this.database.driver,
      reachable: this.failingSince === null,
      lastOkAt: iso(this.lastOkAt),
      failingSince: iso(this.failingSince),
      lastError: this.lastError,
    };
  }

  private check(): void {
    if (this.inFlightSince !== null) {
      this.view();
      return;
    }
    const startedAt = this.options.clock.now();
    this.inFlightSince = startedAt;
    this.database.query("SELECT 1").then(
      () => {
        this.inFlightSince = null;
        if (this.failingSince !== null) this.options.logger.info("database: answering again");
        this.lastOkAt = this.options.clock.now();
        this.failingSince = null;
        this.lastError = null;
        databaseReachableGauge.set(1);
      },
      (error: unknown) => {
        this.inFlightSince = null;
        this.fail(error instanceof Error ? error.message : String(error), startedAt);
      },
    );
  }

  private fail(reason: string, since: number): void {
    if (this.failingSince === null) {
      this.failingSince = since;
      this.options.logger.warn({ reason }, "database: readiness probe failed");
    }
    this.lastError = reason;
    databaseReachableGauge.set(0);
  }
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
