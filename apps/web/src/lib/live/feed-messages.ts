import type { LiveEnvelope as Publication } from "@torghut/contracts";
import type { LatestBatch } from "./latest-records";
import type { FeedState } from "./market-feed";

/**
 * What the page and the feed's worker say to each other (postMessage, structured clone): private to
 * lib/live, both ends in this app. The hub's own messages are in @torghut/contracts.
 *
 * A listener's mode: `each` hears every publication, validated; `latest` hears a per-symbol batch
 * of the newest trade and quote and the range they moved (latest-records.ts), each symbol at most
 * once per `everyMs`.
 */
export type ListenMode = "each" | "latest";

export type FeedCommand =
  | {
      kind: "listen";
      id: number;
      channel: string;
      mode: ListenMode;
      /** `latest` only: the least time between two takes of one symbol (latest-records.ts). */
      everyMs?: number;
    }
  | { kind: "unlisten"; id: number };

export type FeedEvent =
  | { kind: "state"; state: FeedState; reason: string | null }
  | {
      kind: "batch";
      /** Publications for `each` listeners, in arrival order. */
      each: [id: number, publication: Publication][];
      latest: [id: number, batch: LatestBatch][];
    };
