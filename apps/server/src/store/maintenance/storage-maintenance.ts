import type { Database } from "@torghut/db";
import type { Logger } from "../../logger";
import type { Clock, TimerHandle } from "../../clock";
import {
  maintenanceDuration,
  maintenanceRuns,
  retentionDeletedRows,
  tickPartitionsCompacted,
  tickPartitionsCreated,
  tickPartitionsDropped,
} from "./metrics";
import { compactClosedPartitions } from "./compact-partitions";
import { applyRetention, type RetentionResult } from "./retention";
import { ensureTickPartitions } from "./tick-partitions";

export interface MaintenanceSettings {
  tickRetentionDays: number;
  /** null: bars are kept for ever. */
  barRetentionDays: number | null;
  /** Day partitions kept ready ahead of today (a clock running ahead still finds its partition). */
  partitionsAheadDays: number;
  intervalMs: number;
  lockTimeoutMs: number;
}

export interface MaintenanceReport extends RetentionResult {
  createdPartitions: string[];
  /** Finished days whose index was rebuilt packed (compact-partitions.ts). */
  compactedPartitions: string[];
}

/**
 * Keeps day partitions ready ahead and applies retention, every `intervalMs` while started. The
 * ingest leader starts it with its term and stops it when the term ends, so exactly one replica
 * runs DDL. It runs beside the writer, never in its path: its own queries, a lock_timeout on every
 * DDL statement, and a failed round is logged, counted and retried next round.
 */
export class StorageMaintenance {
  private timer: TimerHandle | null = null;
  private running: Promise<MaintenanceReport | null> | null = null;

  constructor(
    private readonly database: Database,
    private readonly settings: MaintenanceSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  get started(): boolean {
    return this.timer !== null;
  }

  /** Runs a round at once (the promise is that round's), then every interval. */
  start(): Promise<MaintenanceReport | null> {
    if (this.timer !== null) return this.running ?? Promise.resolve(null);
    this.timer = this.clock.setInterval(() => void this.runOnce(), this.settings.intervalMs);
    return this.runOnce();
  }

  /** No new rounds; waits for the one in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) this.clock.clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round; a round already in progress is joined rather than overlapped. Never throws. */
  runOnce(): Promise<MaintenanceReport | null> {
    this.running ??= this.round().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(): Promise<MaintenanceReport | null> {
    const started = this.clock.now();
    const stopTimer = maintenanceDuration.startTimer();
    try {
      const createdPartitions = await ensureTickPartitions(this.database, {
        nowMs: started,
        daysAhead: this.settings.partitionsAheadDays,
        lockTimeoutMs: this.settings.lockTimeoutMs,
      });
      tickPartitionsCreated.inc(createdPartitions.length);
      const retention = await applyRetention(this.database, {
        nowMs: started,
        tickRetentionDays: this.settings.tickRetentionDays,
        barRetentionDays: this.settings.barRetentionDays,
        lockTimeoutMs: this.settings.lockTimeoutMs,
      });
      tickPartitionsDropped.inc(retention.droppedPartitions.length);
      retentionDeletedRows.labels("ticks_default").inc(retention.deletedDefaultTicks);
      retentionDeletedRows.labels("bars").inc(retention.deletedBars);
      const compactedPartitions = await compactClosedPartitions(this.database, { nowMs: started });
      tickPartitionsCompacted.inc(compactedPartitions.length);
      maintenanceRuns.labels("ok").inc();
      const report = { createdPartitions, compactedPartitions, ...retention };
      const changed =
        createdPartitions.length +
          compactedPartitions.length +
          retention.droppedPartitions.length +
          retention.deletedDefaultTicks +
          retention.deletedBars >
        0;
      this.logger[changed ? "info" : "debug"](
        report,
        "storage maintenance: partitions ahead, retention applied",
      );
      return report;
    } catch (error) {
      maintenanceRuns.labels("failed").inc();
      // Lock timeouts (55P03) are expected under load: the writer had the table, next round retries.
      this.logger.warn({ err: error }, "storage maintenance round failed; retried next round");
      return null;
    } finally {
      stopTimer();
    }
  }
}
