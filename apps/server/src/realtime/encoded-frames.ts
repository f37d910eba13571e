import type { Frame, Publication, WireFormat } from "./publication";
import { frameBytes, frameFor } from "./publication";

/**
 * One publication's frame and its size for the wire format of the subscriber at hand. Subscribers
 * come in runs of one format, so the last one is kept: no cache lookup and no byte count per client.
 */
export class EncodedFrames {
  private format: WireFormat | null = null;
  frame: Frame | null = null;
  bytes = 0;

  constructor(readonly publication: Publication) {}

  select(format: WireFormat): void {
    if (format === this.format) return;
    this.format = format;
    this.frame = frameFor(this.publication, format);
    this.bytes = frameBytes(this.frame);
  }
}
