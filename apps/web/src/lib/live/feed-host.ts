import type { FeedCommand, FeedEvent } from "./feed-messages";
import { LatestRecords } from "./latest-records";
import { MarketFeed } from "./market-feed";
import type { LiveEnvelope as Publication } from "@torghut/contracts";

/**
 * How long publications gather before they go to the page as one message: about a frame. The page
 * applies them on its next animation frame, so a price is on screen within two frames of arrival,
 * and the page's main thread takes ~60 messages a second instead of one per WebSocket message.
 */
export const BATCH_MS = 16;

type Schedule = (send: () => void) => void;

/**
 * The page's MarketFeed, run where the host runs (the feed's worker, or the page itself when a
 * worker cannot start): listens on the page's behalf and sends what it hears in batches.
 */
export class FeedHost {
  private readonly feed = new MarketFeed();
  private readonly stops = new Map<number, () => void>();
  private readonly latest = new Map<number, LatestRecords>();
  private each: [number, Publication][] = [];
  private scheduled = false;

  constructor(
    private readonly post: (event: FeedEvent) => void,
    private readonly schedule: Schedule = (send) => setTimeout(send, BATCH_MS),
    private readonly now: () => number = () => performance.now(),
  ) {
    this.feed.onState(() => this.post({ kind: "state", ...this.feed.snapshot() }));
  }

  command(command: FeedCommand): void {
    if (command.kind === "unlisten") {
      this.stops.get(command.id)?.();
      this.stops.delete(command.id);
      this.latest.delete(command.id);
      return;
    }
    const { id, channel } = command;
    if (this.stops.has(id)) return;
    if (command.mode === "latest") {
      const records = new LatestRecords(command.everyMs ?? 0, BATCH_MS);
      this.latest.set(id, records);
      this.stops.set(
        id,
        this.feed.listenUnchecked(channel, (arrival) => {
          records.offer(arrival);
          this.request();
        }),
      );
    } else {
      this.stops.set(
        id,
        this.feed.listen(channel, (publication) => {
          this.each.push([id, publication]);
          this.request();
        }),
      );
    }
  }

  private request(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.send);
  }

  private readonly send = (): void => {
    this.scheduled = false;
    const now = this.now();
    const latest: [number, ReturnType<LatestRecords["take"]>][] = [];
    for (const [id, records] of this.latest) {
      if (!records.pending) continue;
      const batch = records.take(now);
      if (batch.symbols.length > 0 || batch.trades > 0 || batch.quotes > 0) latest.push([id, batch]);
      // Symbols not yet due wait for a later batch.
      if (records.pending) this.request();
    }
    if (this.each.length === 0 && latest.length === 0) return;
    const each = this.each;
    this.each = [];
    this.post({ kind: "batch", each, latest });
  };
}
