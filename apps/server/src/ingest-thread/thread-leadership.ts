import type { Leadership, LeadershipKind } from "../leader";

/**
 * The HTTP thread's view of the ingest thread's leadership (which holds the lock and the upstream
 * connection). It follows the snapshots; start and stop belong to the ingest thread.
 */
export class ThreadLeadership implements Leadership {
  private leading = false;
  private since: number | null = null;
  private readonly listeners = new Set<(isLeader: boolean) => void>();

  constructor(public kind: LeadershipKind) {}

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

  start(): Promise<void> {
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }

  /** From a snapshot, or `false` when the ingest thread is gone (its lock went with it). */
  update(kind: LeadershipKind, isLeader: boolean, since: number | null): void {
    this.kind = kind;
    this.since = since;
    if (isLeader === this.leading) return;
    this.leading = isLeader;
    for (const listener of this.listeners) listener(isLeader);
  }
}
