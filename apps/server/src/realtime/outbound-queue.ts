import type { Frame } from "./publication";

interface QueuedFrame {
  /** Conflation key; null for control frames (acks, errors), which are never dropped. */
  key: string | null;
  frame: Frame;
  bytes: number;
}

export type EnqueueResult = "queued" | "conflated" | "overflow";

/**
 * A client's bounded outbound queue (messages and bytes). When full it first conflates: only the
 * newest frame per key survives. After that the queue holds one frame per channel plus control
 * frames, so a client watching more channels than `maxMessages` (a 500-symbol watchlist subscribes
 * to 1,000) is wide, not slow: it overflows — and the caller disconnects it — only when the bytes
 * are still over `maxBytes` or control frames alone exceed `maxMessages`. The next conflation waits
 * until the queue has doubled past what the last one kept, so a wide client does not pay a
 * conflation pass per frame.
 */
export class OutboundQueue {
  private items: QueuedFrame[] = [];
  private head = 0;
  private totalBytes = 0;
  /** Frames dropped by the last conflation. */
  lastConflated = 0;
  /** Control frames (never conflated) kept by the last conflation. */
  private controlFrames = 0;
  /** Queue length past which the next push conflates (`maxMessages` until a wide client raises it). */
  private conflateAbove: number;

  constructor(
    private readonly maxMessages: number,
    private readonly maxBytes: number,
  ) {
    this.conflateAbove = maxMessages;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  push(key: string | null, frame: Frame, bytes: number): EnqueueResult {
    this.items.push({ key, frame, bytes });
    this.totalBytes += bytes;
    if (!this.full()) return "queued";
    this.conflate();
    this.conflateAbove = Math.max(this.maxMessages, 2 * this.length);
    return this.totalBytes > this.maxBytes || this.controlFrames > this.maxMessages
      ? "overflow"
      : "conflated";
  }

  shift(): Frame | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head] = undefined as unknown as QueuedFrame;
    this.head += 1;
    this.totalBytes -= item.bytes;
    // Compact now and then so a long-lived queue does not keep a growing dead prefix.
    if (this.head === this.items.length) this.clear();
    else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item.frame;
  }

  /**
   * Removes and returns frames from the front while they fit in `maxBytes`; at least one when
   * `maxBytes` is positive, so a frame larger than the budget still leaves.
   */
  take(maxBytes: number): Frame[] {
    const frames: Frame[] = [];
    let budget = maxBytes;
    while (budget > 0 && this.head < this.items.length) {
      const item = this.items[this.head]!;
      if (frames.length > 0 && item.bytes > budget) break;
      frames.push(this.shift()!);
      budget -= item.bytes;
    }
    return frames;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.totalBytes = 0;
    this.conflateAbove = this.maxMessages;
  }

  private full(): boolean {
    return this.length > this.conflateAbove || this.totalBytes > this.maxBytes;
  }

  private conflate(): void {
    const seen = new Set<string>();
    const kept: QueuedFrame[] = [];
    for (let i = this.items.length - 1; i >= this.head; i--) {
      const item = this.items[i]!;
      if (item.key === null || !seen.has(item.key)) {
        if (item.key !== null) seen.add(item.key);
        kept.push(item);
      }
    }
    kept.reverse();
    this.controlFrames = kept.length - seen.size;
    this.lastConflated = this.length - kept.length;
    this.items = kept;
    this.head = 0;
    this.totalBytes = kept.reduce((sum, item) => sum + item.bytes, 0);
  }
}
