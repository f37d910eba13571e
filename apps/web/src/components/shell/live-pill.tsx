"use client";
import { useFeedState } from "@/lib/live/use-market-feed";

/** Says whether prices arrive live over the hub or by polling, so a dropped connection is visible. */
export function LivePill() {
  const { state, reason } = useFeedState();
  const label =
    state === "live"
      ? "LIVE"
      : state === "offline"
        ? "POLLING"
        : state === "reconnecting"
          ? "RECONNECTING"
          : "CONNECTING";
  return (
    <span
      className={`pill live-${state}`}
      data-testid="live-state"
      data-state={state}
      title={reason ?? "live updates over SignalR"}
    >
      {label}
      {state === "offline" && reason !== null ? (
        <span className="pill-note"> · live feed unavailable</span>
      ) : null}
    </span>
  );
}
