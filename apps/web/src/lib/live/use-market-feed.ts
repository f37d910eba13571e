"use client";
import { useEffect, useRef, useSyncExternalStore } from "react";
import { marketFeed, type Arrival, type FeedState } from "./market-feed";
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

/** As useChannels, unvalidated: for a listener that validates the values it keeps (see Arrival). */
export function useArrivals(channels: readonly string[], onArrival: (a: Arrival) => void): void {
  const handler = useRef(onArrival);
  handler.current = onArrival;
  const key = channels.join(",");
  useEffect(() => {
    if (key === "") return;
    const feed = marketFeed();
    const stops = key.split(",").map((channel) => feed.listenUnchecked(channel, (a) => handler.current(a)));
    return () => stops.forEach((stop) => stop());
  }, [key]);
}
