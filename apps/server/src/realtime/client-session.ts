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
}

let nextSessionId = 1;

/**
 * One connected client inside the hub: its subscriptions and its bounded outbound queue. Frames go
 * straight to the transport while it keeps up; otherwise they wait here, where they can be
 * conflated, instead of piling up in the socket's unbounded write buffer.
 */
export class HubSession {
  readonly id = `c${nextSessionId++}`;
  readonly subscriptions = new Set<string>();
  private readonly queue: OutboundQueue;
  private conflationsBehind = 0;
  private behindSince: number | null = null;
  private isClosed = false;

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
    let sent = 0;
    for (const publication of publications) {
      if (this.enqueue(publication.conflationKey, frameFor(publication, this.client.format))) sent += 1;
    }
    if (sent > 0) this.host.onDelivered(sent);
  }

  /** A transport-specific control frame (ack, pong, error); never conflated. */
  sendControl(frame: Frame): void {
    if (this.enqueue(null, frame)) this.host.onDelivered(1);
  }

  /** Returns true when the frame went straight to the transport. */
  enqueue(key: string | null, frame: Frame): boolean {
    if (this.isClosed) return false;
    if (this.queue.length === 0 && this.client.bufferedAmount < this.limits.transportHighWaterBytes) {
      this.client.send(frame);
      return true;
    }
    const now = this.host.clock.now();
    this.behindSince ??= now;
    const result = this.queue.push(key, frame, frameBytes(frame));
    if (result === "overflow") {
      this.host.onSlowClient(this, "queue full after conflation");
    } else if (result === "conflated") {
      this.conflationsBehind += 1;
      this.host.onConflated(this, this.queue.lastConflated);
      if (this.conflationsBehind > this.limits.maxConflationsBehind) {
        this.host.onSlowClient(this, "conflated repeatedly without catching up");
      }
    }
    if (!this.isClosed && now - this.behindSince > this.limits.maxBehindMs) {
      this.host.onSlowClient(this, "behind for too long");
    }
    return false;
  }

  /** The transport drained: write queued frames until it is full again. */
  writable(): void {
    let sent = 0;
    while (
      !this.isClosed &&
      this.queue.length > 0 &&
      this.client.bufferedAmount < this.limits.transportHighWaterBytes
    ) {
      this.client.send(this.queue.shift()!);
      sent += 1;
    }
    if (this.queue.length === 0) {
      this.conflationsBehind = 0;
      this.behindSince = null;
    }
    if (sent > 0) this.host.onDelivered(sent);
  }

  /** Close from the hub side; the transport's own close event later calls `detached`. */
  close(code: number, reason: string): void {
    if (this.isClosed) return;
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
