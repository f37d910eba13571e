import type { Logger } from "../logger";
import type { Clock, TimerHandle } from "../clock";

export interface RetryBackoffSettings {
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * The tick writer's wait before it tries the database again: exponential in the consecutive
 * failures, capped at `retryMaxMs`, with ±20 % jitter so replicas that failed together do not
 * retry in step.
 */
export class RetryBackoff {
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly settings: RetryBackoffSettings,
  ) {}

  /** A wait is running: nothing is sent until it ends. */
  get pending(): boolean {
    return this.timer !== null;
  }

  /** Starts the wait after the `failures`-th failure in a row (unless one runs); `due` runs at its end. */
  start(failures: number, failure: Error, queueDepth: number, due: () => void): void {
    if (this.timer !== null) return;
    const exponent = Math.min(failures - 1, 30);
    const base = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** exponent);
    const delay = Math.round(base * (0.8 + Math.random() * 0.4));
    this.logger.warn(
      { err: failure, consecutiveFailures: failures, retryInMs: delay, queueDepth },
      "tick writer cannot reach the database: holding ticks and retrying",
    );
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      due();
    }, delay);
  }

  cancel(): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}
