import type { Clock } from "../clock";
import { OutboundQueue } from "./outbound-queue";
import type { Frame, Publication, WireFormat } from "./publication";
import { frameBytes, frameFor } from "./publication";
import type { HubClient, Principal } from "./transport";
import type { SubscribeOutcome } from "./subscriptions";

export interface SessionLimits {
  /** Messages a client may have queued (WS_CLIENT_BUFFER). */
  maxQueuedMessages: number;
  maxQueuedBytes: number;
  /** Stop writing to the transport while it holds more than this many unflushed bytes. */
  transportHighWaterBytes: number;
  /** Conflations in a row without the queue ever draining before the client is closed. */
  maxConflationsBehind: number;
  /** How long a client may stay behind (queue never empty) before it is closed. */
  maxBehindMs: number;
}

/** The hub side a session talks back to; implemented by the Hub (kept narrow to avoid a cycle). */
export interface SessionHost {
  readonly clock: Clock;
  subscribe(
    session: HubSession,
    channel: string,
    recover?: { offset: number; epoch: string },
  ): SubscribeOutcome;
  unsubscribe(session: HubSession, channel: string): boolean;
  detach(session: HubSession): void;
  onDelivered(count: number): void;
  onConflated(session: HubSession, dropped: number): void;
  onSlowClient(session: HubSession, why: string): void;
  /** Frames are due on this session: call `flushDue` at the end of the turn. */
  scheduleFlush(session: HubSession): void;
}

let nextSessionId = 1;

/**
 * One connected client inside the hub: its subscriptions and its bounded outbound queue. A lone
 * publication finding nothing queued goes straight to the transport (`deliver`); otherwise frames
 * wait here until the end of the event-loop turn and then leave together in one write while the
 * transport keeps up; while it does not, they stay here, where they can be conflated, instead of
 * piling up in the socket's unbounded write buffer. Only a transport that stays backed up makes a
 * client "slow": a queue that fills while the server itself is busy is written out, not held
 * against the client.
 */
export class HubSession {
  readonly id = `c${nextSessionId++}`;
  readonly subscriptions = new Set<string>();
  private readonly queue: OutboundQueue;
  private conflationsBehind = 0;
  private behindSince: number | null = null;
  private isClosed = false;
  private flushScheduled = false;

  constructor(
    private readonly host: SessionHost,
    readonly client: HubClient,
    public principal: Principal,
    private readonly limits: SessionLimits,
  ) {
    this.queue = new OutboundQueue(limits.maxQueuedMessages, limits.maxQueuedBytes);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  get format(): WireFormat {
    return this.client.format;
  }

  get queuedMessages(): number {
    return this.queue.length;
  }

  subscribe(channel: string, recover?: { offset: number; epoch: string }): SubscribeOutcome {
    return this.host.subscribe(this, channel, recover);
  }

  unsubscribe(channel: string): boolean {
    return this.host.unsubscribe(this, channel);
  }

  /** Replayed or snapshot publications, in order, behind anything already queued. */
  sendPublications(publications: readonly Publication[]): void {
    for (const publication of publications) {
      this.enqueue(publication.conflationKey, frameFor(publication, this.client.format));
    }
  }

  /** A transport-specific control frame (ack, pong, error); never conflated. */
  sendControl(frame: Frame): void {
    this.enqueue(null, frame);
  }

  /**
   * Queue a frame for the end of this turn; `key` null marks a control frame (never conflated).
   * A fan-out passes `bytes`, measured once per publication, instead of every client measuring it.
   */
  enqueue(key: string | null, frame: Frame, bytes = frameBytes(frame)): void {
    if (this.isClosed) return;
    const clientBehind = this.transportFull();
    // A full queue on a client that keeps up is the server's backlog, not the client's: write it.
    if (
      !clientBehind &&
      (this.queue.length >= this.limits.maxQueuedMessages ||
        this.queue.bytes + bytes > this.limits.maxQueuedBytes)
    )
      this.host.onDelivered(this.write());
    const result = this.queue.push(key, frame, bytes);
    if (result === "overflow") {
      this.host.onSlowClient(this, "queue full after conflation");
      return;
    }
    if (result === "conflated") {
      this.host.onConflated(this, this.queue.lastConflated);
      // A pass that dropped nothing only met a client wider than its buffer: no sign of slowness.
      if (clientBehind && this.queue.lastConflated > 0) {
        this.conflationsBehind += 1;
        if (this.conflationsBehind > this.limits.maxConflationsBehind) {
          this.host.onSlowClient(this, "conflated repeatedly without catching up");
          return;
        }
      }
    }
    if (this.behindSince !== null && this.host.clock.now() - this.behindSince > this.limits.maxBehindMs) {
      this.host.onSlowClient(this, "behind for too long");
      return;
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      this.host.scheduleFlush(this);
    }
  }

  /**
   * A fan-out's frame, handed to the transport at once when nothing waits ahead of it (queue empty,
   * no flush due) and the transport has room: what the end-of-turn flush would do with it, without
   * the round trip through the queue. Otherwise it is queued as usual. True when written.
   */
  deliver(key: string, frame: Frame, bytes: number): boolean {
    if (this.isClosed || this.flushScheduled || this.queue.length > 0 || this.transportFull()) {
      this.enqueue(key, frame, bytes);
      return false;
    }
    this.client.send(frame);
    return true;
  }

  /** The hub's end-of-turn flush reached this session; returns the frames written (the hub counts them). */
  flushDue(): number {
    this.flushScheduled = false;
    return this.write();
  }

  /** The transport drained: write what waited. */
  writable(): void {
    this.host.onDelivered(this.write());
  }

  /**
   * Hand the transport what is queued while it stays under its high-water mark: up to that many
   * bytes per write, and another write as long as the kernel keeps taking them. Returns the frames
   * written; the caller counts them (the flush once for all the sessions it passes).
   */
  private write(): number {
    let sent = 0;
    while (!this.isClosed && this.queue.length > 0) {
      const room = this.limits.transportHighWaterBytes - this.client.bufferedAmount;
      if (room <= 0) break;
      // One frame due (the usual case while clients keep up): no batch array.
      if (this.queue.length === 1) {
        this.client.send(this.queue.shift()!);
        sent += 1;
        continue;
      }
      const frames = this.queue.take(room);
      if (frames.length === 1) this.client.send(frames[0]!);
      else this.client.sendBatch(frames);
      sent += frames.length;
    }
    if (this.queue.length === 0) {
      this.conflationsBehind = 0;
      this.behindSince = null;
    } else {
      this.behindSince ??= this.host.clock.now();
    }
    return sent;
  }

  private transportFull(): boolean {
    return this.client.bufferedAmount >= this.limits.transportHighWaterBytes;
  }

  /**
   * Close from the hub side; the transport's own close event later calls `detached`. What is
   * queued (an error explaining the close, say) is written first, unless the client is being
   * dropped for being slow: then its backlog is the problem and is discarded.
   */
  close(code: number, reason: string, options: { discardBacklog?: boolean } = {}): void {
    if (this.isClosed) return;
    if (options.discardBacklog !== true) this.host.onDelivered(this.write());
    this.markClosed();
    this.client.close(code, reason);
  }

  /** The connection is gone (transport event): forget the client. Idempotent. */
  detached(): void {
    this.markClosed();
    this.host.detach(this);
  }

  private markClosed(): void {
    this.isClosed = true;
    this.queue.clear();
  }
}
