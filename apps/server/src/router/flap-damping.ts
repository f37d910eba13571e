/**
 * RUNBOOK-005: more than `threshold` failovers within `windowMs` means the primary is flapping. Each
 * failover beyond the threshold doubles the recovery grace period (capped), so the router stops
 * bouncing users between real-time and delayed data. Pure: the caller passes `now`.
 */
export interface FlapDampingSettings {
  windowMs: number;
  threshold: number;
  maxMultiplier: number;
}

export const DEFAULT_FLAP_DAMPING: FlapDampingSettings = {
  windowMs: 3_600_000,
  threshold: 3,
  maxMultiplier: 16,
};

export interface DampingView {
  active: boolean;
  failoversInWindow: number;
  multiplier: number;
  gracePeriodMs: number;
}

export class FlapDamper {
  private failovers: number[] = [];

  constructor(
    private readonly baseGraceMs: number,
    private readonly settings: FlapDampingSettings = DEFAULT_FLAP_DAMPING,
  ) {}

  recordFailover(at: number): void {
    this.failovers.push(at);
    this.prune(at);
  }

  view(now: number): DampingView {
    this.prune(now);
    const count = this.failovers.length;
    const excess = count - this.settings.threshold;
    const multiplier = excess > 0 ? Math.min(2 ** excess, this.settings.maxMultiplier) : 1;
    return {
      active: multiplier > 1,
      failoversInWindow: count,
      multiplier,
      gracePeriodMs: this.baseGraceMs * multiplier,
    };
  }

  private prune(now: number): void {
    const cutoff = now - this.settings.windowMs;
    while (this.failovers.length > 0 && this.failovers[0]! <= cutoff) this.failovers.shift();
  }
}
