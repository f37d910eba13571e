import type { Clock } from "../../clock";

/**
 * A token bucket on the injected clock: `capacity` requests at once, refilled evenly over a minute.
 * `take()` resolves when a token is free, so callers queue instead of earning a 429.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly perMs: number;
  private readonly waiters: (() => void)[] = [];
  private timerArmed = false;

  constructor(
    private readonly clock: Clock,
    private readonly requestsPerMinute: number,
    private readonly capacity = Math.max(1, Math.min(requestsPerMinute, 10)),
  ) {
    this.tokens = this.capacity;
    this.updatedAt = clock.now();
    this.perMs = requestsPerMinute / 60_000;
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  take(): Promise<void> {
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.schedule();
    });
  }

  /** After a 429 the server's view wins: empty the bucket so the next request waits a full token. */
  drain(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + (now - this.updatedAt) * this.perMs);
    this.updatedAt = now;
  }

  private schedule(): void {
    if (this.timerArmed || this.waiters.length === 0) return;
    this.timerArmed = true;
    const wait = Math.max(1, Math.ceil((1 - this.tokens) / this.perMs));
    this.clock.setTimeout(() => {
      this.timerArmed = false;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()?.();
      }
      this.schedule();
    }, wait);
  }
}
