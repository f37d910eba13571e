"use client";
import { useState } from "react";
import { ApiError } from "@/lib/api";
import { runOpsAction, type OpsAction } from "@/lib/ops-client";

const ACTIONS: readonly { key: OpsAction; label: string; consequence: string }[] = [
  {
    key: "failover",
    label: "Force failover to Yahoo",
    consequence:
      "Every user's prices will come from Yahoo, DELAYED, until an operator chooses Back to automatic.",
  },
  {
    key: "reconnect",
    label: "Reconnect Alpaca",
    consequence:
      "The Alpaca stream will be dropped and opened again: a short gap in live prices while it reconnects.",
  },
  {
    key: "automatic",
    label: "Back to automatic",
    consequence: "The forced mode ends: the router chooses the source again (Alpaca when it is healthy).",
  },
];

type Outcome = { ok: boolean; text: string; status: number };

/**
 * The runbook's operator actions, run as the signed-in user (the session, no pasted token). A viewer
 * sees them disabled, with the reason; the server refuses a viewer all the same.
 */
export function OpsActions({ canAct, onDone }: { canAct: boolean; onDone: () => void }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<(typeof ACTIONS)[number] | null>(null);

  const run = async (action: OpsAction, label: string): Promise<void> => {
    setBusy(true);
    try {
      const result = await runOpsAction(action);
      setOutcome({
        ok: true,
        status: 200,
        text: `${label}: done by ${result.actor}, state now ${result.connectionState}`,
      });
      onDone();
    } catch (error) {
      const status = error instanceof ApiError ? error.status : 0;
      const message = error instanceof Error ? error.message : String(error);
      setOutcome({ ok: false, status, text: `${label} refused (${status || "network"}): ${message}` });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel">
      <h2>Operator actions</h2>
      {canAct ? null : (
        <p className="muted" data-testid="ops-viewer-note">
          You are signed in as a viewer: only operators may run these.
        </p>
      )}
      <div className="toolbar">
        {ACTIONS.map((a) => (
          <button
            key={a.key}
            type="button"
            data-testid={`ops-${a.key}`}
            disabled={busy || !canAct}
            onClick={() => setConfirming(a)}
          >
            {a.label}
          </button>
        ))}
      </div>
      {confirming !== null ? (
        <div
          className="confirm banner banner-warn"
          role="alertdialog"
          aria-labelledby="ops-confirm-title"
          aria-describedby="ops-confirm-text"
          data-testid="ops-confirm-dialog"
          onKeyDown={(e) => {
            if (e.key === "Escape") setConfirming(null);
          }}
        >
          <strong id="ops-confirm-title">{confirming.label}?</strong>{" "}
          <span id="ops-confirm-text" data-testid="ops-consequence">
            {confirming.consequence}
          </span>{" "}
          <button
            type="button"
            data-testid="ops-confirm"
            autoFocus
            onClick={() => {
              const action = confirming;
              setConfirming(null);
              void run(action.key, action.label);
            }}
          >
            {confirming.label}
          </button>{" "}
          <button type="button" data-testid="ops-cancel" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      ) : null}
      {outcome !== null ? (
        <div
          className={`banner ${outcome.ok ? "banner-info" : "banner-error"}`}
          role={outcome.ok ? "status" : "alert"}
          data-testid="ops-result"
          data-ok={outcome.ok}
          data-status={outcome.status}
        >
          {outcome.text}
        </div>
      ) : null}
    </section>
  );
}
