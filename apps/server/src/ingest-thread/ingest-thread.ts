import { Worker } from "node:worker_threads";
import type { BusPublisher } from "../bus";
import type { Clock, TimerHandle } from "../clock";
import type { ServerConfig } from "../config";
import type { IngestSide, IngestThreadView, OpsActions, ThreadMetrics } from "../ingest/side";
import type { Logger } from "../logger";
import type { RouterSnapshot } from "../router";
import { IngestThreadCallError, IngestThreadUnavailableError } from "./errors";
import { ticksLost } from "../store/metrics";
import { ingestThreadConflated, ingestThreadRestarts, ingestThreadUp } from "./metrics";
import {
  errorOfFailure,
  type FromIngestThread,
  type IngestCall,
  type IngestSnapshot,
  type IngestThreadData,
} from "./protocol";
import { snapshotViews } from "./snapshot";
import { ThreadLeadership } from "./thread-leadership";

export interface IngestThreadOptions {
  config: ServerConfig;
  replicaId: string;
  /** This thread's bus: the ingest thread's batches are published on it for the hub and observer. */
  bus: BusPublisher;
  /** The leader as heard on the bus, named when an ops call reaches a standby. */
  knownLeader: () => string | null;
  logger: Logger;
  clock: Clock;
  /** Restart back-off after the thread dies: doubles from base to max. Default 1 s → 30 s. */
  restartDelayMs?: { base: number; max: number };
  /** How long an ops or metrics call may take. Default 10 s. */
  callTimeoutMs?: number;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: TimerHandle;
}

/**
 * The thread's entry module, next to this one: worker.ts under tsx (the thread inherits this
 * process's `--import` loader through its execArgv), dist/worker.js in the bundle `npm start` runs.
 */
const WORKER_ENTRY = new URL(
  import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js",
  import.meta.url,
);

/** A thread that ran this long before dying restarts after the base delay again. */
const STABLE_RUN_MS = 60_000;

/**
 * The HTTP thread's handle on the ingest thread: starts it, answers health views from its latest
 * snapshot (never waiting on it), forwards ops calls, and restarts it when it dies, so readiness
 * comes back by itself. Stopping asks the thread to finish: upstream closed, every accepted tick
 * committed.
 */
export class IngestThread implements IngestSide {
  readonly leadership = new ThreadLeadership("lease");
  readonly views = snapshotViews(() => (this.worker === null ? null : this.snapshot));
  readonly actions: OpsActions = {
    forceFallback: (actor) => this.routerCall({ method: "forceFallback", actor }),
    reconnectPrimary: (actor) => this.routerCall({ method: "reconnectPrimary", actor }),
    releaseToAutomatic: (actor) => this.routerCall({ method: "releaseToAutomatic", actor }),
  };
  private worker: Worker | null = null;
  private snapshot: IngestSnapshot | null = null;
  private snapshotAt: number | null = null;
  private state: IngestThreadView["state"] = "stopped";
  private restarts = 0;
  private consecutiveFailures = 0;
  private startedAt = 0;
  private lastExitAt: number | null = null;
  private lastError: string | null = null;
  private conflated = 0;
  private stopping = false;
  private restartTimer: TimerHandle | null = null;
  private readonly calls = new Map<number, PendingCall>();
  private nextCallId = 1;
  private exited: (() => void) | null = null;
  /** Until the first thread is ready a failure is the caller's (start() rejects), not restarted. */
  private everReady = false;
  /** What the dying thread said it saved; null when it died without a word (terminate, OOM). */
  private crashReport: Extract<FromIngestThread, { type: "crashed" }> | null = null;
  private lostToCrashes = 0;

  constructor(private readonly options: IngestThreadOptions) {}

  /** Resolves when the thread has started ingest (as inline `ingest.start()` would). */
  start(): Promise<void> {
    this.stopping = false;
    return this.spawn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer !== null) this.options.clock.clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const worker = this.worker;
    if (worker === null) {
      this.state = "stopped";
      return;
    }
    const exited = new Promise<void>((resolve) => (this.exited = resolve));
    try {
      // Closing upstream and committing the writer's queue can take a while on a slow database.
      await this.call({ method: "stop" }, 60_000);
    } catch (error) {
      this.options.logger.error({ err: error }, "ingest thread did not stop cleanly; terminating it");
      void worker.terminate();
    }
    // Its work is done; a handle left open must not keep the process from exiting.
    const grace = this.options.clock.setTimeout(() => void worker.terminate(), 5000);
    await exited;
    this.options.clock.clearTimeout(grace);
  }

  /** Shutdown deadline: the thread's writer spools what it has not committed (fire and forget). */
  forceStop(): void {
    if (this.worker === null) return;
    this.call({ method: "forceStop" }, 5_000).catch((error: unknown) =>
      this.options.logger.error({ err: error }, "ingest thread did not answer the forced stop"),
    );
  }

  /**
   * Ends the thread at once, as a crash would (chaos drills and tests): the restart, the readiness
   * answers and the leadership hand-back are the ones a real crash gets.
   */
  async crash(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Chaos drills and tests: the thread throws an uncaught error, as a bug would. */
  async throwUncaught(): Promise<void> {
    await this.call({ method: "throwUncaught" });
  }

  /** Ticks dead threads took with them (neither committed nor spooled), since start. */
  get ticksLostToCrashes(): number {
    return this.lostToCrashes;
  }

  /**
   * A thread died: it reported what it spooled and lost, or (killed without a word) everything its
   * writer held at the last snapshot is counted as lost — an upper bound, never a silent zero.
   */
  private accountCrash(code: number): void {
    const report = this.crashReport;
    this.crashReport = null;
    const held = this.snapshot?.writer?.queueDepth ?? 0;
    const lost = report ? report.lost : held;
    const spooled = report ? report.spooled : 0;
    if (lost > 0) ticksLost.inc({ reason: "ingest_thread_crash" }, lost);
    this.lostToCrashes += lost;
    this.options.logger.error(
      { code, lost, spooled, reported: report !== null, error: report?.message ?? this.lastError },
      lost === 0
        ? "ingest thread died: its unflushed ticks are in the spool"
        : "ingest thread died: ticks lost",
    );
  }

  thread(): IngestThreadView {
    return {
      state: this.state,
      restarts: this.restarts,
      lastExitAt: this.lastExitAt === null ? null : new Date(this.lastExitAt).toISOString(),
      lastError: this.lastError,
      snapshotAgeMs:
        this.snapshotAt === null ? null : Math.max(0, this.options.clock.now() - this.snapshotAt),
      conflated: this.conflated,
    };
  }

  async metrics(): Promise<ThreadMetrics> {
    return (await this.call({ method: "metrics" })) as ThreadMetrics;
  }

  private spawn(): Promise<void> {
    if (this.state !== "restarting") this.state = "starting";
    const data: IngestThreadData = { config: this.options.config, replicaId: this.options.replicaId };
    const worker = new Worker(WORKER_ENTRY, { workerData: data });
    this.worker = worker;
    this.startedAt = this.options.clock.now();
    // start() settles on "ready", or once the thread has exited: a failed start is then fully over.
    let startFailure: string | null = null;
    return new Promise<void>((resolve, reject) => {
      worker.on("message", (message: FromIngestThread) => {
        if (message.type === "ready") {
          this.state = "running";
          this.everReady = true;
          ingestThreadUp.set(1);
          this.install(message.snapshot);
          resolve();
        } else if (message.type === "crashed") {
          this.crashReport = message;
        } else if (message.type === "fatal") {
          this.lastError = withoutCredentials(message.message);
          startFailure = `ingest thread failed to start: ${this.lastError}`;
        } else this.receive(message);
      });
      worker.on("error", (error: Error) => {
        this.lastError = withoutCredentials(error.message);
        this.options.logger.error({ err: error }, "ingest thread crashed");
      });
      worker.on("exit", (code) => {
        this.onExit(worker, code);
        const why = startFailure ?? `ingest thread exited with code ${code}: ${this.lastError ?? "no error"}`;
        reject(new IngestThreadCallError(why, { retryable: true }));
      });
    });
  }

  private receive(message: Exclude<FromIngestThread, { type: "ready" | "fatal" | "crashed" }>): void {
    switch (message.type) {
      case "snapshot":
        this.install(message.snapshot);
        return;
      case "bus":
        // Status first: a client that sees the new status and asks /api/health sees it there too.
        if (message.snapshot !== null) this.install(message.snapshot);
        this.conflated += message.conflated;
        if (message.conflated > 0) ingestThreadConflated.inc(message.conflated);
        for (const busMessage of message.messages) this.options.bus.publish(busMessage);
        return;
      case "reply": {
        const pending = this.calls.get(message.id);
        if (pending === undefined) return;
        this.calls.delete(message.id);
        this.options.clock.clearTimeout(pending.timer);
        if (message.ok) {
          this.install(message.snapshot);
          pending.resolve(message.value);
        } else pending.reject(errorOfFailure(message.error, this.options.knownLeader));
        return;
      }
    }
  }

  private install(snapshot: IngestSnapshot): void {
    this.snapshot = snapshot;
    this.snapshotAt = this.options.clock.now();
    const { kind, isLeader, leaderSince } = snapshot.leadership;
    this.leadership.update(kind, isLeader, leaderSince);
  }

  private onExit(worker: Worker, code: number): void {
    if (this.worker !== worker) return;
    if (!this.stopping && this.state === "running") this.accountCrash(code);
    this.worker = null;
    this.snapshot = null;
    this.snapshotAt = null;
    ingestThreadUp.set(0);
    this.leadership.update(this.leadership.kind, false, null);
    for (const [id, pending] of this.calls) {
      this.options.clock.clearTimeout(pending.timer);
      pending.reject(new IngestThreadUnavailableError("the ingest thread exited before answering"));
      this.calls.delete(id);
    }
    if (this.stopping || !this.everReady) {
      this.state = "stopped";
      this.exited?.();
      return;
    }
    const now = this.options.clock.now();
    this.lastExitAt = now;
    this.restarts += 1;
    ingestThreadRestarts.inc();
    this.consecutiveFailures = now - this.startedAt >= STABLE_RUN_MS ? 1 : this.consecutiveFailures + 1;
    const delay = restartDelayMs(this.consecutiveFailures, this.options.restartDelayMs);
    this.state = "restarting";
    this.options.logger.error(
      { code, restartInMs: delay, restarts: this.restarts, lastError: this.lastError },
      "ingest thread exited; restarting it",
    );
    this.restartTimer = this.options.clock.setTimeout(() => {
      this.restartTimer = null;
      if (this.stopping) return;
      this.spawn().catch((error: unknown) =>
        this.options.logger.error({ err: error }, "ingest thread restart failed; trying again"),
      );
    }, delay);
  }

  private async routerCall(call: IngestCall): Promise<RouterSnapshot> {
    return (await this.call(call)) as RouterSnapshot;
  }

  private call(call: IngestCall, timeoutMs = this.options.callTimeoutMs ?? 10_000): Promise<unknown> {
    const worker = this.worker;
    if (worker === null || this.state !== "running") {
      return Promise.reject(
        new IngestThreadUnavailableError(`the ingest thread is ${this.state}; retry shortly`),
      );
    }
    const id = this.nextCallId++;
    return new Promise((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        this.calls.delete(id);
        reject(
          new IngestThreadCallError(`the ingest thread did not answer ${call.method} in ${timeoutMs} ms`, {
            retryable: true,
          }),
        );
      }, timeoutMs);
      this.calls.set(id, { resolve, reject, timer });
      worker.postMessage({ type: "call", id, call });
    });
  }
}

/** The wait before restart number `failures` in a row: base, doubling, capped at max. */
export function restartDelayMs(failures: number, backoff = { base: 1000, max: 30_000 }): number {
  return Math.min(backoff.max, backoff.base * 2 ** Math.max(0, failures - 1));
}

/** lastError is served by the health endpoints: a URL in an error must not carry its password. */
export function withoutCredentials(message: string): string {
  return message.replace(/(\w+:\/\/)[^/@\s]+@/g, "$1[redacted]@");
}
