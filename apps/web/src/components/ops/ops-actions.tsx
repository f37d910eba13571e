"use client";
import { useState } from "react";
import { ApiError } from "@/lib/api";
import { runOpsAction, type OpsAction } from "@/lib/ops-client";

const ACTIONS: readonly { key: OpsAction; label: string }[] = [
  { key: "failover", label: "Force failover to Yahoo" },
  { key: "reconnect", label: "Reconnect Alpaca" },
  { key: "automatic", label: "Back to automatic" },
];

type Outcome = { ok: boolean; text: string; status: number };

/**
 * The runbook's operator actions, run as the signed-in user (the session, no pasted token). A viewer
 * sees them disabled, with the reason; the server refuses a viewer all the same.
 */
export function OpsActions({ canAct, onDone }: { canAct: boolean; onDone: () => void }) {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);

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
            onClick={() => void run(a.key, a.label)}
          >
            {a.label}
          </button>
        ))}
      </div>
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
