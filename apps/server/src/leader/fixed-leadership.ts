import { systemClock, type Clock } from "../clock";
import type { Leadership } from "./leadership";
import { LeadershipState } from "./leadership-state";

/** "always": the only ingest process (PGlite). "never": ROLE=realtime, which never connects upstream. */
export class FixedLeadership extends LeadershipState implements Leadership {
  constructor(
    readonly kind: "always" | "never",
    private readonly clock: Clock = systemClock,
  ) {
    super();
  }

  start(): Promise<void> {
    if (this.kind === "always" && !this.isLeader) this.changeLeading(true, this.clock.now());
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.isLeader) this.changeLeading(false, null);
    return Promise.resolve();
  }
}
