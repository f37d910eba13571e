export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Fraction of the delay that is randomised (0.2 → ±20 %), so replicas and restarts do not stampede. */
  jitter?: number;
  /** Returns [0, 1); injected so tests get exact delays. */
  random?: () => number;
}

/**
 * Exponential backoff with jitter: base · 2^attempt, capped, ± jitter. `reset()` after a stable
 * session so one old outage does not slow the next recovery. Never gives up: there is no max attempts.
 */
export class ExponentialBackoff {
  private attempt = 0;
  private readonly jitter: number;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.jitter = options.jitter ?? 0.2;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; advances the attempt count. */
  next(): number {
    const exponent = Math.min(this.attempt, 30);
    this.attempt += 1;
    const raw = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** exponent);
    const spread = raw * this.jitter * (this.random() * 2 - 1);
    return Math.max(0, Math.round(Math.min(this.options.maxDelayMs, raw + spread)));
  }

  /** Attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  reset(): void {
    this.attempt = 0;
  }
}
