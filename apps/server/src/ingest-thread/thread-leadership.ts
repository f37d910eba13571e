import type { Leadership, LeadershipKind } from "../leader";
import { LeadershipState } from "../leader/leadership-state";

/**
 * The HTTP thread's view of the ingest thread's leadership (which holds the lock and the upstream
 * connection). It follows the snapshots; start and stop belong to the ingest thread.
 */
export class ThreadLeadership extends LeadershipState implements Leadership {
  constructor(public kind: LeadershipKind) {
    super();
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
    this.changeLeading(isLeader, since);
  }
}
