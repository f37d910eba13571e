/**
 * Authenticated stream sessions by Alpaca's rules: one session per key per endpoint (feed). A
 * session dropped without a close handshake lingers as "stale" for a while and still counts, so a
 * quick reconnect gets 406 until it is reaped.
 */
import type { Timeline, TimerHandle } from "../clock";

export interface Session {
  readonly id: number;
  readonly keyId: string;
  readonly feed: string;
  state: "live" | "stale";
  reaper: TimerHandle | null;
}

export class SessionRegistry {
  private readonly sessions = new Set<Session>();
  private nextId = 1;

  constructor(
    private readonly timeline: Timeline,
    private readonly now: () => number,
    private readonly staleSessionMs: number,
    private readonly changed: () => void,
  ) {}

  /** A new live session, or null when the key already has one (live or stale) on that feed. */
  open(keyId: string, feed: string): Session | null {
    for (const s of this.sessions) if (s.keyId === keyId && s.feed === feed) return null;
    const session: Session = { id: this.nextId++, keyId, feed, state: "live", reaper: null };
    this.sessions.add(session);
    this.changed();
    return session;
  }

  /** The client closed properly (or the server closed it): the slot frees at once. */
  closeCleanly(session: Session): void {
    this.timeline.cancel(session.reaper);
    this.sessions.delete(session);
    this.changed();
  }

  /** The connection vanished without a close handshake: the session lingers. */
  closeUncleanly(session: Session): void {
    if (!this.sessions.has(session)) return;
    session.state = "stale";
    session.reaper = this.timeline.schedule(this.now() + this.staleSessionMs, () =>
      this.closeCleanly(session),
    );
    this.changed();
  }

  /** Forget every session (the upstream "restarted", e.g. after the `down` fault). */
  reset(): void {
    for (const session of this.sessions) this.timeline.cancel(session.reaper);
    this.sessions.clear();
    this.changed();
  }

  count(): number {
    return this.sessions.size;
  }

  countFor(keyId: string): number {
    let n = 0;
    for (const s of this.sessions) if (s.keyId === keyId) n++;
    return n;
  }

  staleCount(): number {
    let n = 0;
    for (const s of this.sessions) if (s.state === "stale") n++;
    return n;
  }
}
