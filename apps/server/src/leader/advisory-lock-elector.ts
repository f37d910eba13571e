import pg from "pg";
import { pino } from "pino";
import type { Clock, TimerHandle } from "../clock";
import { systemClock } from "../clock";
import type { Logger } from "../logger";
import type { Leadership } from "./leadership";
import { LeadershipState } from "./leadership-state";
import { isLeaderGauge, leadershipChanges } from "./metrics";

/** Arbitrary but fixed: every replica of a deployment (one database) contends for the same key. */
export const ALPACA_LEADER_LOCK_KEY = "7361727084515041";

export interface AdvisoryLockElectorOptions {
  connectionString: string;
  replicaId: string;
  /** Pause between a standby's attempts to take the lock (LEADER_RETRY_MS). */
  retryMs: number;
  /** The leader checks its lock connection this often and steps down if a check fails or takes longer. */
  probeMs: number;
  lockKey?: string;
  clock?: Clock;
  logger?: Logger;
}

/**
 * Leadership is a session-level `pg_try_advisory_lock` held on a dedicated connection (not the
 * pool: a pooled session could be handed to someone else). PostgreSQL releases the lock when that
 * session ends, so the holder must treat any trouble on the connection as losing leadership, and
 * say so synchronously: its listeners close the upstream socket before a standby's next attempt
 * (LEADER_RETRY_MS away) can even see the lock free.
 */
export class AdvisoryLockElector extends LeadershipState implements Leadership {
  readonly kind = "advisory-lock" as const;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lockKey: string;
  private client: pg.Client | null = null;
  private timer: TimerHandle | null = null;
  private busy = false;
  /** After losing the lock, stand back so a healthy standby takes over rather than the replica that just failed. */
  private holdOffUntil = 0;
  private stopped = true;

  constructor(private readonly options: AdvisoryLockElectorOptions) {
    super(options.logger ?? pino({ enabled: false }));
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ enabled: false });
    this.lockKey = options.lockKey ?? ALPACA_LEADER_LOCK_KEY;
  }

  /** Resolves after the first attempt: a lone replica is leader when this returns. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer();
    const client = this.client;
    this.client = null;
    if (this.isLeader) this.setLeading(false, "stopped");
    // Ending the session releases the lock; nobody else could have taken it before this point.
    if (client !== null) await client.end().catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.busy) return;
    this.busy = true;
    try {
      if (this.isLeader) await this.probe();
      else await this.tryAcquire();
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  private async tryAcquire(): Promise<void> {
    if (this.clock.now() < this.holdOffUntil) return;
    let client: pg.Client | null = this.client;
    try {
      client ??= await this.open();
      const result = await client.query<{ acquired: boolean }>(
        "SELECT pg_try_advisory_lock($1::bigint) AS acquired",
        [this.lockKey],
      );
      if (client !== this.client || this.stopped) return;
      if (result.rows[0]?.acquired === true) this.setLeading(true, "lock acquired");
    } catch (error) {
      if (client !== null) this.connectionLost(client, error);
      else this.logger.warn({ err: error }, "leader election: cannot reach PostgreSQL, will retry");
    }
  }

  private async probe(): Promise<void> {
    const client = this.client;
    if (client === null) return;
    // A half-open connection never errors by itself; a check that does not come back in time is a loss.
    const deadline = this.clock.setTimeout(
      () =>
        this.connectionLost(
          client,
          new Error(`lock connection check took longer than ${this.options.probeMs} ms`),
        ),
      this.options.probeMs,
    );
    try {
      await client.query("SELECT 1");
    } catch (error) {
      this.connectionLost(client, error);
    } finally {
      this.clock.clearTimeout(deadline);
    }
  }

  private async open(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: `torghut-leader:${this.options.replicaId}`.slice(0, 63),
      connectionTimeoutMillis: Math.max(1000, this.options.probeMs),
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
    });
    client.on("error", (error) => this.connectionLost(client, error));
    client.on("end", () => this.connectionLost(client, new Error("lock connection closed")));
    this.client = client;
    try {
      await client.connect();
    } catch (error) {
      this.connectionLost(client, error);
      throw error;
    }
    return client;
  }

  /** Idempotent per connection: the first signal (error, end, failed or slow check) wins. */
  private connectionLost(client: pg.Client, error: unknown): void {
    if (client !== this.client) return;
    this.client = null;
    void client.end().catch(() => undefined);
    if (this.isLeader) {
      this.holdOffUntil = this.clock.now() + 2 * this.options.retryMs;
      this.setLeading(false, "lock connection lost");
      this.logger.error({ err: error }, "leadership lost: the lock connection failed; upstream closed");
    } else {
      this.logger.warn({ err: error }, "leader election: lock connection failed, will retry");
    }
  }

  private setLeading(leading: boolean, reason: string): void {
    if (this.isLeader === leading) return;
    this.changeLeading(leading, leading ? this.clock.now() : null);
    isLeaderGauge.set(leading ? 1 : 0);
    leadershipChanges.inc({ change: leading ? "gained" : "lost", reason });
    this.logger.warn(
      { replicaId: this.options.replicaId, reason },
      leading ? "leadership gained" : "leadership given up",
    );
  }

  private schedule(): void {
    this.cancelTimer();
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(
      () => void this.tick(),
      this.isLeader ? this.options.probeMs : this.options.retryMs,
    );
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
