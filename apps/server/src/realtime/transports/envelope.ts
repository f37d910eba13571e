import type { Publication, WireFormat } from "../publication";
import { frameFor } from "../publication";

/**
 * The /ws envelope `{type, channel, offset, epoch, publishedAt, data}` as JSON text. Registered as
 * a wire format of its own so the publication caches it: SignalR and Socket.IO both wrap the same
 * string, and it is stringified once per publication however many formats embed it.
 */
export const envelopeJsonFormat: WireFormat = {
  name: "envelope-json",
  encode(publication: Publication): string {
    return JSON.stringify({
      type: publication.type,
      channel: publication.channel,
      offset: publication.offset,
      epoch: publication.epoch,
      publishedAt: publication.publishedAt,
      data: publication.data,
    });
  },
};

export function envelopeJson(publication: Publication): string {
  return frameFor(publication, envelopeJsonFormat) as string;
}
