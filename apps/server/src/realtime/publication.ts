import type {
  Bar1m,
  IndicatorUpdate,
  PublicationType,
  Quote,
  StatusMessage,
  Trade,
} from "@torghut/contracts";
import type { ChannelKind } from "./channels";

export const DEFAULT_TYPE: Record<ChannelKind, PublicationType> = {
  lines: "tick",
  order_book: "quote",
  analytics: "bar",
  status: "status",
};

export type PublicationData = Trade | Quote | Bar1m | IndicatorUpdate | StatusMessage;

/**
 * A message as it leaves the hub: numbered within its channel (`offset`) inside a history
 * generation (`epoch`), stamped with `publishedAt` so lag can be measured at every hop.
 * `frames` caches the encoding per wire format: each format encodes a publication once.
 */
export interface Publication {
  readonly channel: string;
  readonly type: PublicationType;
  readonly offset: number;
  readonly epoch: string;
  readonly publishedAt: number;
  readonly data: unknown;
  /** Latest-value identity: a newer publication with the same key supersedes this one. */
  readonly conflationKey: string;
  readonly frames: Map<WireFormat, Frame>;
}

/** Bytes (or a string) ready to hand to a transport unchanged. */
export type Frame = Buffer | string;

/**
 * A wire format turns a publication into a frame. The hub asks each format once per publication,
 * so adding SignalR or Socket.IO means adding a format and a transport, not touching the hub.
 */
export interface WireFormat {
  readonly name: string;
  encode(publication: Publication): Frame;
}

export function frameFor(publication: Publication, format: WireFormat): Frame {
  let frame = publication.frames.get(format);
  if (frame === undefined) {
    frame = format.encode(publication);
    publication.frames.set(format, frame);
  }
  return frame;
}

export function frameBytes(frame: Frame): number {
  return typeof frame === "string" ? Buffer.byteLength(frame) : frame.length;
}
