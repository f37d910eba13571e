/**
 * flush() callers, each waiting until no queued or in-flight tick was accepted before its mark
 * (the writer's low-water acceptance number has passed its target).
 */
export class FlushWaiters {
  private readonly waiters: { target: number; resolve: () => void }[] = [];

  get waiting(): boolean {
    return this.waiters.length > 0;
  }

  add(target: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  /** Resolves every waiter whose target `low` (the lowest acceptance number still held) has reached. */
  settle(low: () => number): void {
    if (this.waiters.length === 0) return;
    const mark = low();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const waiter = this.waiters[i]!;
      if (mark >= waiter.target) {
        this.waiters.splice(i, 1);
        waiter.resolve();
      }
    }
  }
}
