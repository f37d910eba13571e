import { performance } from "node:perf_hooks";
import pg from "pg";
import { pino } from "pino";
import type { Clock, TimerHandle } from "../clock";
import { systemClock } from "../clock";
import type { Logger } from "../logger";
import type { Leadership } from "./leadership";
import { LeadershipState } from "./leadership-state";
import { isLeaderGauge, leaderEpochGauge, leadershipChanges } from "./metrics";

/** The lease row every replica of a deployment (one database) contends for. */
export const ALPACA_LEASE_NAME = "alpaca-stream";
/**
 * The advisory lock the previous release elected with. The lease holder also holds it, so during a
 * rolling upgrade a replica of the previous release can neither lead beside a lease holder nor be
 * led beside: a lease is only taken while the lock is free.
 */
export const LEGACY_ADVISORY_LOCK_KEY = "7361727084515041";

export interface LeaseElectorOptions {
  connectionString: string;
  replicaId: string;
  /** How long a lease lasts from the moment its renewal was sent (LEADER_LEASE_SECONDS). */
  leaseMs: number;
  /** The leader renews this often (LEADER_PROBE_MS). */
  renewMs: number;
  /** A standby tries to take an expired lease this often (LEADER_RETRY_MS). */
  retryMs: number;
  /** The leader steps down this long before its lease could expire for the others. */
  marginMs: number;
  leaseName?: string;
  clock?: Clock;
  logger?: Logger;
  /** Monotonic milliseconds for the lease deadline (wall-clock steps must not stretch a lease). */
  monotonicNow?: () => number;
}

const ACQUIRE = `
  INSERT INTO leader_leases (name, holder, epoch, expires_at)
  VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
  ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, epoch = leader_leases.epoch + 1,
    acquired_at = now(), renewed_at = now(), expires_at = EXCLUDED.expires_at
  WHERE leader_leases.expires_at < now() OR leader_leases.holder = EXCLUDED.holder
  RETURNING epoch`;

const RENEW = `
  UPDATE leader_leases SET renewed_at = now(), expires_at = now() + $3 * interval '1 millisecond'
  WHERE name = $1 AND holder = $2 AND epoch = $4 AND expires_at >= now()
  RETURNING epoch`;

/**
 * Leadership as a lease in PostgreSQL with a fencing epoch. The holder renews every `renewMs`; the
 * others take the row only once `expires_at` (the database's clock) has passed. A holder that cannot
 * reach the database keeps leading — the others cannot take the lease before it expires, and they
 * measure expiry on the database's clock from no earlier than the moment this holder sent its last
 * successful renewal — until `sent + leaseMs - marginMs` on its own monotonic clock, and then steps
 * down (listeners close the upstream socket at once). So a database outage shorter than the lease
 * leaves the feed alone, and there is never a moment two replicas may both hold Alpaca.
 */
export class LeaseElector extends LeadershipState implements Leadership {
  readonly kind = "lease" as const;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly leaseName: string;
  private readonly monotonicNow: () => number;
  private client: pg.Client | null = null;
  private clientHoldsLegacyLock = false;
  private epoch: number | null = null;
  private timer: TimerHandle | null = null;
  private expiryTimer: TimerHandle | null = null;
  private busy = false;
  private stopped = true;
  private renewFailing = false;

  constructor(private readonly options: LeaseElectorOptions) {
    super(options.logger ?? pino({ enabled: false }));
    if (options.marginMs >= options.leaseMs) throw new Error("lease margin must be shorter than the lease");
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? pino({ enabled: false });
    this.leaseName = options.leaseName ?? ALPACA_LEASE_NAME;
    this.monotonicNow = options.monotonicNow ?? (() => performance.now());
  }

  /** The fencing token of the current term (null when not leading). */
  get currentEpoch(): number | null {
    return this.isLeader ? this.epoch : null;
  }

  /** Resolves after the first attempt: a lone replica is leader when this returns. */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.tick();
  }

  /**
   * Steps down, then gives the lease back so a standby takes over without waiting for expiry.
   * Bounded: against a frozen database the give-back fails by its deadline and the socket is
   * destroyed (pg's end() would wait for the server's goodbye forever); the lease then expires.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimers();
    const epoch = this.isLeader ? this.epoch : null;
    // Kept out of stepDown's reach: the lease is given back on this session before it ends.
    const client = this.client;
    this.client = null;
    this.stepDown("stopped");
    if (client === null) return;
    if (epoch !== null) {
      await client
        .query("UPDATE leader_leases SET expires_at = now() WHERE name = $1 AND holder = $2 AND epoch = $3", [
          this.leaseName,
          this.options.replicaId,
          epoch,
        ])
        .catch(() => undefined);
    }
    await endWithin(client, this.callTimeoutMs());
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.busy) return;
    this.busy = true;
    try {
      if (this.isLeader) await this.renew();
      else await this.tryAcquire();
    } finally {
      this.busy = false;
      this.schedule();
    }
  }

  private async tryAcquire(): Promise<void> {
    const sentAt = this.monotonicNow();
    try {
      const client = await this.connection();
      await client.query("BEGIN");
      try {
        // The row lock serialises replicas at an expiry; only the would-be leader touches the lock.
        const current = await client.query<{ acquirable: boolean }>(
          "SELECT (expires_at < now() OR holder = $2) AS acquirable FROM leader_leases WHERE name = $1 FOR UPDATE",
          [this.leaseName, this.options.replicaId],
        );
        if (current.rows[0]?.acquirable === false || !(await this.takeLegacyLock(client))) {
          await client.query("ROLLBACK");
          return;
        }
        const taken = await client.query<{ epoch: string }>(ACQUIRE, [
          this.leaseName,
          this.options.replicaId,
          this.options.leaseMs,
        ]);
        await client.query("COMMIT");
        if (this.stopped || taken.rows[0] === undefined) {
          this.dropConnection(); // and the advisory lock with it
          return;
        }
        this.epoch = Number(taken.rows[0].epoch);
        this.extendUntil(sentAt + this.options.leaseMs - this.options.marginMs);
        this.setLeading(true, "lease acquired");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      }
    } catch (error) {
      this.dropConnection();
      this.logger.warn({ err: error }, "leader election: cannot reach PostgreSQL, will retry");
    }
  }

  private async renew(): Promise<void> {
    const sentAt = this.monotonicNow();
    try {
      const client = await this.connection();
      // Reconnected after an outage: hold the previous release's lock again, or give way to it.
      if (!(await this.takeLegacyLock(client)) && (await this.previousReleaseLeads(client))) {
        this.stepDown("a replica of the previous release holds the advisory lock");
        return;
      }
      const renewed = await client.query(RENEW, [
        this.leaseName,
        this.options.replicaId,
        this.options.leaseMs,
        this.epoch,
      ]);
      if (!this.isLeader) return;
      if (renewed.rowCount === 0) {
        this.stepDown("lease no longer ours");
        return;
      }
      if (this.renewFailing) this.logger.info({ epoch: this.epoch }, "leader lease renewed again");
      this.renewFailing = false;
      this.extendUntil(sentAt + this.options.leaseMs - this.options.marginMs);
    } catch (error) {
      this.dropConnection();
      if (!this.isLeader) return;
      if (!this.renewFailing) {
        this.logger.warn(
          { err: error, epoch: this.epoch },
          "leader lease not renewed: still leading until the lease could expire",
        );
      }
      this.renewFailing = true;
    }
  }

  /** Session-level, so it lives with this connection; taking it again on the same session is a no-op. */
  private async takeLegacyLock(client: pg.Client): Promise<boolean> {
    if (this.clientHoldsLegacyLock) return true;
    const result = await client.query<{ acquired: boolean }>(
      "SELECT pg_try_advisory_lock($1::bigint) AS acquired",
      [LEGACY_ADVISORY_LOCK_KEY],
    );
    this.clientHoldsLegacyLock = result.rows[0]?.acquired === true;
    return this.clientHoldsLegacyLock;
  }

  /**
   * Whether the advisory lock is held by the previous release (its sessions are named
   * `torghut-leader:`). Otherwise the holder is our own session from before an outage, not yet
   * ended by the server: keep leading and take the lock at the next renewal.
   */
  private async previousReleaseLeads(client: pg.Client): Promise<boolean> {
    const holders = await client.query<{ name: string }>(
      `SELECT a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted
         AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint`,
      [LEGACY_ADVISORY_LOCK_KEY],
    );
    return holders.rows.some((row) => row.name.startsWith("torghut-leader:"));
  }

  private async connection(): Promise<pg.Client> {
    if (this.client !== null) return this.client;
    const timeoutMs = this.callTimeoutMs();
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: `torghut-lease:${this.options.replicaId}`.slice(0, 63),
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 5000,
    });
    client.on("error", () => {
      if (this.client === client) this.dropConnection();
    });
    this.client = client;
    this.clientHoldsLegacyLock = false;
    try {
      await client.connect();
    } catch (error) {
      if (this.client === client) this.dropConnection();
      throw error;
    }
    return client;
  }

  /** Every call bounded: a frozen server must not hold a renewal (or shutdown) for long. */
  private callTimeoutMs(): number {
    return Math.max(1000, Math.min(this.options.renewMs, this.options.retryMs));
  }

  /** Ends the session, and with it any advisory lock it held. */
  private dropConnection(): void {
    const client = this.client;
    this.client = null;
    this.clientHoldsLegacyLock = false;
    if (client !== null) void endWithin(client, this.callTimeoutMs());
  }

  /** The lease is ours, as the others see it, until `deadline` (monotonic) at the earliest. */
  private extendUntil(deadline: number): void {
    if (this.expiryTimer !== null) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = this.clock.setTimeout(
      () => this.stepDown("lease expired: not renewed (database unreachable)"),
      Math.max(0, deadline - this.monotonicNow()),
    );
  }

  private stepDown(reason: string): void {
    if (this.expiryTimer !== null) this.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    // A session that may still hold the advisory lock is ended, so nobody waits on a stale holder.
    this.dropConnection();
    this.renewFailing = false;
    if (!this.isLeader) return;
    this.setLeading(false, reason);
    this.epoch = null;
  }

  private setLeading(leading: boolean, reason: string): void {
    if (this.isLeader === leading) return;
    this.changeLeading(leading, leading ? this.clock.now() : null);
    isLeaderGauge.set(leading ? 1 : 0);
    leaderEpochGauge.set(leading ? (this.epoch ?? 0) : 0);
    leadershipChanges.inc({ change: leading ? "gained" : "lost", reason });
    const log = { replicaId: this.options.replicaId, epoch: this.epoch, reason };
    if (leading) this.logger.warn(log, "leadership gained");
    else this.logger.error(log, "leadership given up; upstream closed");
  }

  private schedule(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(
      () => void this.tick(),
      this.isLeader ? this.options.renewMs : this.options.retryMs,
    );
  }

  private cancelTimers(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.expiryTimer !== null) this.clock.clearTimeout(this.expiryTimer);
    this.timer = null;
    this.expiryTimer = null;
  }
}

/** `client.end()`, or the socket destroyed if the server does not answer the goodbye in time. */
async function endWithin(client: pg.Client, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), timeoutMs);
    timer.unref();
  });
  const outcome = await Promise.race([
    client.end().then(
      () => "ended" as const,
      () => "ended" as const,
    ),
    deadline,
  ]);
  clearTimeout(timer);
  if (outcome === "late") client.connection.stream.destroy();
}
