import type { Publication } from "./publication";

export type SubscribeOutcome =
  | {
      ok: true;
      channel: string;
      epoch: string;
      /** Channel offset at subscribe time (0 for wildcards and empty channels). */
      offset: number;
      /** Present only when the client asked to recover. */
      recovered?: boolean;
      /** What to send after the ack: the missed publications, or the latest value(s) as a snapshot. */
      replay: Publication[];
    }
  | {
      ok: false;
      channel: string;
      code: "bad_channel" | "forbidden" | "too_many_subscriptions";
      message: string;
    };

/** channel → subscribers, with the reverse kept on each session (`session.subscriptions`). */
export class SubscriptionIndex<S extends { subscriptions: Set<string> }> {
  private readonly byChannel = new Map<string, Set<S>>();
  private total = 0;

  get size(): number {
    return this.total;
  }

  get channelCount(): number {
    return this.byChannel.size;
  }

  subscribers(channel: string): Set<S> | undefined {
    return this.byChannel.get(channel);
  }

  add(channel: string, session: S): boolean {
    if (session.subscriptions.has(channel)) return false;
    let set = this.byChannel.get(channel);
    if (set === undefined) {
      set = new Set();
      this.byChannel.set(channel, set);
    }
    set.add(session);
    session.subscriptions.add(channel);
    this.total += 1;
    return true;
  }

  remove(channel: string, session: S): boolean {
    if (!session.subscriptions.delete(channel)) return false;
    const set = this.byChannel.get(channel);
    set?.delete(session);
    if (set?.size === 0) this.byChannel.delete(channel);
    this.total -= 1;
    return true;
  }

  removeAll(session: S): void {
    for (const channel of [...session.subscriptions]) this.remove(channel, session);
  }
}
