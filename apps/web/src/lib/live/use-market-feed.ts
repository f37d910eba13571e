"use client";
import { useEffect, useRef, useSyncExternalStore } from "react";
import { marketFeed } from "./feed-client";
import type { LatestBatch } from "./latest-records";
import type { FeedState } from "./market-feed";
import type { LiveEnvelope as Publication } from "@torghut/contracts";

const serverSnapshot = { state: "connecting" as FeedState, reason: null };

/** The live feed's connection state, for the live pill and for choosing the polling rate. */
export function useFeedState(): { state: FeedState; reason: string | null } {
  const feed = typeof window === "undefined" ? null : marketFeed();
  const cache = useRef(serverSnapshot as { state: FeedState; reason: string | null });
  return useSyncExternalStore(
    (notify) => (feed === null ? () => undefined : feed.onState(notify)),
    () => {
      if (feed === null) return serverSnapshot;
      const next = feed.snapshot();
      if (next.state !== cache.current.state || next.reason !== cache.current.reason) cache.current = next;
      return cache.current;
    },
    () => serverSnapshot,
  );
}

/** Calls `onPublication` for every publication on `channels` while mounted, envelopes validated. */
export function useChannels(channels: readonly string[], onPublication: (p: Publication) => void): void {
  const handler = useRef(onPublication);
  handler.current = onPublication;
  const key = channels.join(",");
  useEffect(() => {
    if (key === "") return;
    const feed = marketFeed();
    const stops = key.split(",").map((channel) => feed.listen(channel, (p) => handler.current(p)));
    return () => stops.forEach((stop) => stop());
  }, [key]);
}

/**
 * Calls `onBatch` with the channels' trades and quotes coalesced per symbol and validated (in the
 * feed's worker), about once a frame, each symbol at most once per `everyMs`: for a view of the
 * latest values, not of every record.
 */
export function useLatest(
  channels: readonly string[],
  everyMs: number,
  onBatch: (batch: LatestBatch) => void,
): void {
  const handler = useRef(onBatch);
  handler.current = onBatch;
  const key = channels.join(",");
  useEffect(() => {
    if (key === "") return;
    const feed = marketFeed();
    const stops = key
      .split(",")
      .map((channel) => feed.listenLatest(channel, everyMs, (b) => handler.current(b)));
    return () => stops.forEach((stop) => stop());
  }, [key, everyMs]);
}
