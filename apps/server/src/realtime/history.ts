import type { PublicationType } from "@torghut/contracts";
import type { Publication } from "./publication";

export type RecoveryResult =
  | { recovered: true; missed: Publication[] }
  /** The gap cannot be filled: the caller sends the latest value and the client refetches over REST. */
  | { recovered: false };

/**
 * One channel's bounded history: offsets grow by one per publication; the newest `capacity`
 * publications are kept in a ring so a reconnecting client can be given exactly what it missed.
 * Recovery is all or nothing (as in centrifuge): a partial replay would hide the gap.
 */
export class ChannelHistory {
  private readonly ring: (Publication | undefined)[];
  private lastOffset = 0;

  constructor(
    readonly channel: string,
    readonly epoch: string,
    private readonly capacity: number,
  ) {
    this.ring = new Array<Publication | undefined>(Math.max(1, capacity));
  }

  get offset(): number {
    return this.lastOffset;
  }

  append(type: PublicationType, conflationKey: string, data: unknown, publishedAt: number): Publication {
    this.lastOffset += 1;
    const publication: Publication = {
      channel: this.channel,
      type,
      offset: this.lastOffset,
      epoch: this.epoch,
      publishedAt,
      data,
      conflationKey,
      frames: new Map(),
    };
    this.ring[this.lastOffset % this.ring.length] = publication;
    return publication;
  }

  /** Latest publication per conflation key (a tick and an indicator on one channel are both kept). */
  latest(): Publication[] {
    const newest = new Map<string, Publication>();
    for (let offset = this.lastOffset; offset > this.oldestOffset() - 1; offset--) {
      const publication = this.ring[offset % this.ring.length];
      if (publication !== undefined && !newest.has(publication.conflationKey)) {
        newest.set(publication.conflationKey, publication);
      }
    }
    return [...newest.values()].sort((a, b) => a.offset - b.offset);
  }

  recover(since: { offset: number; epoch: string }): RecoveryResult {
    if (since.epoch !== this.epoch || since.offset > this.lastOffset) return { recovered: false };
    if (since.offset < this.oldestOffset() - 1) return { recovered: false };
    const missed: Publication[] = [];
    for (let offset = since.offset + 1; offset <= this.lastOffset; offset++) {
      missed.push(this.ring[offset % this.ring.length]!);
    }
    return { recovered: true, missed };
  }

  private oldestOffset(): number {
    return Math.max(1, this.lastOffset - this.ring.length + 1);
  }
}
