import type { Logger } from "../logger";

/**
 * What every Leadership keeps: whether it leads, since when, and who hears of a change. Listeners
 * run synchronously, so a replica that loses leadership closes its upstream socket in the same turn.
 */
export abstract class LeadershipState {
  private leading = false;
  private since: number | null = null;
  private readonly listeners = new Set<(isLeader: boolean) => void>();

  /** With a logger a failing listener is logged and the others still run; without, it throws. */
  protected constructor(private readonly listenerLogger?: Logger) {}

  get isLeader(): boolean {
    return this.leading;
  }

  get leaderSince(): number | null {
    return this.since;
  }

  onChange(listener: (isLeader: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Records the term's start; tells the listeners when `leading` changed, and says whether it did. */
  protected changeLeading(leading: boolean, since: number | null): boolean {
    this.since = since;
    if (leading === this.leading) return false;
    this.leading = leading;
    for (const listener of this.listeners) {
      if (this.listenerLogger === undefined) {
        listener(leading);
        continue;
      }
      try {
        listener(leading);
      } catch (error) {
        this.listenerLogger.error({ err: error }, "leadership listener failed");
      }
    }
    return true;
  }
}
