import type { Clock } from "../clock";
import type { CommitHealth } from "./tick-writer-options";

/**
 * Whether the writer can commit, since when and why not; listeners hear only the flips (can ↔
 * cannot), while a new reason during the same outage just updates what readiness reports.
 */
export class CommitHealthState {
  private health: CommitHealth = { canCommit: true, since: null, reason: null };
  private readonly listeners: ((health: CommitHealth) => void)[] = [];

  constructor(private readonly clock: Clock) {}

  get canCommit(): boolean {
    return this.health.canCommit;
  }

  get since(): number | null {
    return this.health.since;
  }

  snapshot(): CommitHealth {
    return { ...this.health };
  }

  onChange(listener: (health: CommitHealth) => void): void {
    this.listeners.push(listener);
  }

  set(canCommit: boolean, reason: string | null): void {
    if (this.health.canCommit === canCommit && (canCommit || this.health.reason === reason)) return;
    const changed = this.health.canCommit !== canCommit;
    this.health = { canCommit, since: changed ? this.clock.now() : this.health.since, reason };
    if (changed) for (const listener of this.listeners) listener(this.snapshot());
  }
}
