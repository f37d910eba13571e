"use client";
import { useState } from "react";
import { sourceEventsResponseSchema } from "@torghut/contracts";
import { getJson } from "@/lib/api";
import { formatEasternTime } from "@/lib/format";
import { usePoll } from "@/lib/use-poll";

/** The audit log (`source_events`): transitions and operator actions, filtered on the server. */
export function AuditLog({ refresh }: { refresh: number }) {
  const [actor, setActor] = useState("");
  const [state, setState] = useState("");
  const [text, setText] = useState("");
  const [hours, setHours] = useState("24");
  const params = new URLSearchParams({ hours, limit: "200" });
  if (actor.trim() !== "") params.set("actor", actor.trim());
  if (state !== "") params.set("state", state);
  if (text.trim() !== "") params.set("q", text.trim());
  const query = params.toString();
  const log = usePoll(() => getJson(`/api/health/events?${query}`, sourceEventsResponseSchema), 10_000, [
    query,
    refresh,
  ]);
  const events = log.data?.events ?? [];
  return (
    <section className="panel" data-testid="audit-log">
      <h2>Audit log</h2>
      <form className="toolbar" onSubmit={(e) => e.preventDefault()} aria-label="Audit log filters">
        <label>
          Actor{" "}
          <input
            data-testid="audit-actor"
            value={actor}
            onChange={(e) => setActor(e.target.value)}
            size={14}
          />
        </label>
        <label>
          State{" "}
          <select data-testid="audit-state" value={state} onChange={(e) => setState(e.target.value)}>
            <option value="">any</option>
            <option value="PRIMARY_ACTIVE">PRIMARY_ACTIVE</option>
            <option value="FALLBACK_ACTIVE">FALLBACK_ACTIVE</option>
            <option value="BOTH_UNAVAILABLE">BOTH_UNAVAILABLE</option>
          </select>
        </label>
        <label>
          Reason contains{" "}
          <input data-testid="audit-text" value={text} onChange={(e) => setText(e.target.value)} size={18} />
        </label>
        <label>
          Window{" "}
          <select data-testid="audit-hours" value={hours} onChange={(e) => setHours(e.target.value)}>
            <option value="1">1 h</option>
            <option value="24">24 h</option>
            <option value="168">7 days</option>
          </select>
        </label>
      </form>
      {log.error !== undefined ? (
        <div className="banner banner-error" role="alert">
          Audit log unavailable: {log.error.message}
        </div>
      ) : log.data === undefined ? (
        <p className="muted" aria-busy="true">
          Loading the audit log…
        </p>
      ) : events.length === 0 ? (
        <p className="muted" data-testid="audit-empty">
          No events match in this window.
        </p>
      ) : (
        // Scrolls when the window holds many events: keyboard users must be able to reach it.
        <div className="audit-scroll" tabIndex={0} role="region" aria-label="Audit log entries">
          <table data-testid="audit-table">
            <thead>
              <tr>
                <th>Time (ET)</th>
                <th>Transition</th>
                <th>Reason</th>
                <th>Actor</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id} data-testid="audit-row" data-actor={e.actor}>
                  <td className="num">{formatEasternTime(e.at)}</td>
                  <td>{e.fromState === e.toState ? e.toState : `${e.fromState ?? "—"} → ${e.toState}`}</td>
                  <td>{e.reason}</td>
                  <td>{e.actor}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
