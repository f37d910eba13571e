import { performance } from "node:perf_hooks";
import type { HubSession } from "./client-session";
import type { EncodedFrames } from "./encoded-frames";
import type { FanoutTrace } from "./fanout-trace";
import { realtimeMetrics } from "./metrics";

/** One publication on its way out. */
export interface Fanout {
  readonly encoded: EncodedFrames;
  /** Its subscribers when it was published, in order (a later subscriber gets it from the history). */
  readonly recipients: readonly HubSession[];
  readonly startedAt: number;
  /** Only when traced. */
  readonly trace: FanoutTrace | null;
}

/** A fan-out whose recipients all have it (written or queued): done once the flush passes `mark`. */
interface PendingFanout {
  mark: number;
  startedAt: number;
  recipients: number;
  trace: FanoutTrace | null;
}

/** The lone publication of a burst, written straight to its recipients; `next` is the next one. */
interface DirectFanout {
  fanout: Fanout;
  next: number;
  recipients: number;
}

export interface FanoutSchedulerOptions {
  /** Clients written per event-loop turn before yielding. */
  sliceSize: number;
  /** False: every publication is queued (HubOptions.directWrites). */
  directWrites: boolean;
  onDelivered(count: number): void;
  onFanoutComplete: ((durationMs: number, recipients: number) => void) | undefined;
  onFanoutTrace: ((trace: FanoutTrace) => void) | undefined;
}

/**
 * When a publication's frames reach the transports. Publications made in one burst (one upstream
 * frame, one synchronous run of `publish`) are queued on every recipient and flushed once at the
 * end of the turn, so everything due to a client leaves in one write. A burst of one publication
 * while nothing is in flight, the usual case at a trader's pace, skips the queue: when the burst
 * ends (a microtask) each recipient with nothing waiting (empty queue, no flush due, room in its
 * transport) gets the frame written at once, in one pass over the recipients instead of an enqueue
 * pass and then a flush pass. That cuts the hub's own work per delivery to about a third
 * (`npm run bench -- fanout-overhead`) and puts the first write before the last enqueue. Either
 * way at most `sliceSize` clients are written per turn.
 */
export class FanoutScheduler {
  /** Sessions with frames to write, in the order they became due; `flushHead` is the next one. */
  private flushList: HubSession[] = [];
  private flushHead = 0;
  /** Sessions ever put on / taken off the flush list: positions that survive compaction. */
  private flushEnqueued = 0;
  private flushDone = 0;
  private flushScheduled = false;
  private readonly pending: PendingFanout[] = [];
  private direct: DirectFanout | null = null;
  /** A burst is open: its end (a microtask) is already scheduled. */
  private burstOpen = false;

  constructor(private readonly options: FanoutSchedulerOptions) {}

  /** Fan-outs not yet complete. */
  get pendingCount(): number {
    return this.pending.length + (this.direct === null ? 0 : 1);
  }

  publish(fanout: Fanout): void {
    this.settle();
    if (this.burstOpen || !this.options.directWrites || !this.idle()) {
      this.enqueueAll(fanout, 0, 0);
      return;
    }
    this.burstOpen = true;
    this.direct = { fanout, next: 0, recipients: 0 };
    queueMicrotask(this.endOfBurst);
  }

  /**
   * Nothing in flight: no fan-out waiting for the flush. A hub that is behind queues every
   * publication instead, so a client owed several frames gets them joined in one write, and the
   * clients early in the list are not written once per publication while the rest wait.
   */
  private idle(): boolean {
    return this.pending.length === 0 && this.flushHead === this.flushList.length;
  }

  /**
   * Queue the rest of a direct fan-out now, so that whatever a recipient is sent next (another
   * publication, a subscribe or unsubscribe ack) stays behind it, as if it had been queued at once.
   */
  settle(): void {
    const direct = this.direct;
    if (direct === null) return;
    this.direct = null;
    this.enqueueAll(direct.fanout, direct.next, direct.recipients);
  }

  /** A session has frames queued: write them at the end of this turn. */
  due(session: HubSession): void {
    this.flushList.push(session);
    this.flushEnqueued += 1;
    this.schedule();
  }

  /** Shutdown: nothing more is written. */
  clear(): void {
    this.flushList = [];
    this.flushHead = 0;
    this.pending.length = 0;
    this.direct = null;
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(this.flush);
  }

  private readonly endOfBurst = (): void => {
    this.burstOpen = false;
    const direct = this.direct;
    if (direct === null) return;
    const trace = direct.fanout.trace;
    if (trace !== null) {
      trace.enqueuedAt = performance.now();
      trace.flushStartedAt = trace.enqueuedAt;
    }
    this.writeDirect(this.options.sliceSize);
    if (this.direct !== null) this.schedule();
  };

  /**
   * The direct fan-out's next recipients, until `budget` frames are written (queueing one for a
   * client that is behind costs little next to a write); returns the frames written.
   */
  private writeDirect(budget: number): number {
    const direct = this.direct!;
    const { encoded, recipients } = direct.fanout;
    const key = encoded.publication.conflationKey;
    let written = 0;
    let i = direct.next;
    for (; i < recipients.length && written < budget; i++) {
      const session = recipients[i]!;
      if (session.closed) continue;
      direct.recipients += 1;
      encoded.select(session.format);
      if (session.deliver(key, encoded.frame!, encoded.bytes)) written += 1;
    }
    direct.next = i;
    if (written > 0) this.options.onDelivered(written);
    if (i === recipients.length) {
      this.direct = null;
      this.track(direct.fanout, direct.recipients);
      this.complete();
    }
    return written;
  }

  /** Recipients from `from` on get the frame queued; `counted` were reached before. */
  private enqueueAll(fanout: Fanout, from: number, counted: number): void {
    const { encoded, recipients } = fanout;
    const key = encoded.publication.conflationKey;
    let reached = counted;
    for (let i = from; i < recipients.length; i++) {
      const session = recipients[i]!;
      if (session.closed) continue;
      encoded.select(session.format);
      session.enqueue(key, encoded.frame!, encoded.bytes);
      reached += 1;
    }
    const trace = fanout.trace;
    if (trace !== null && trace.flushStartedAt === 0) trace.enqueuedAt = performance.now();
    this.track(fanout, reached);
  }

  private track(fanout: Fanout, recipients: number): void {
    if (recipients === 0) return;
    if (fanout.trace !== null) fanout.trace.recipients = recipients;
    const { startedAt, trace } = fanout;
    this.pending.push({ mark: this.flushEnqueued, startedAt, recipients, trace });
  }

  /** Writes each due session's queue in one go; at most one slice of sessions per turn. */
  private readonly flush = (): void => {
    this.flushScheduled = false;
    if (this.options.onFanoutTrace !== undefined) this.traceFlushStart();
    let budget = this.options.sliceSize;
    if (this.direct !== null) budget -= this.writeDirect(budget);
    const end = Math.min(this.flushList.length, this.flushHead + budget);
    let delivered = 0;
    for (let i = this.flushHead; i < end; i++) delivered += this.flushList[i]!.flushDue();
    if (delivered > 0) this.options.onDelivered(delivered);
    this.flushDone += Math.max(0, end - this.flushHead);
    this.flushHead = Math.max(this.flushHead, end);
    if (this.flushHead === this.flushList.length) {
      this.flushList = [];
      this.flushHead = 0;
    }
    this.complete();
    if (this.flushHead < this.flushList.length || this.direct !== null) this.schedule();
  };

  /** Fan-outs whose recipients have all been flushed are done, in order. */
  private complete(): void {
    const pending = this.pending;
    while (pending.length > 0 && pending[0]!.mark <= this.flushDone) {
      const fanout = pending.shift()!;
      const elapsedMs = performance.now() - fanout.startedAt;
      realtimeMetrics.fanoutSeconds.observe(elapsedMs / 1000);
      this.options.onFanoutComplete?.(elapsedMs, fanout.recipients);
      if (fanout.trace !== null) {
        fanout.trace.completedAt = fanout.startedAt + elapsedMs;
        this.options.onFanoutTrace?.(fanout.trace);
      }
    }
  }

  /** The flush is about to write: queued fan-outs not yet started start now. */
  private traceFlushStart(): void {
    const now = performance.now();
    for (const { trace } of this.pending) {
      if (trace !== null && trace.flushStartedAt === 0) trace.flushStartedAt = now;
    }
  }
}
