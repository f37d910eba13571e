"use client";
import { useState } from "react";
import { ApiError, getJson } from "@/lib/api";
import { opsResult } from "./ops-schemas";

const ACTIONS = [
  { key: "failover", label: "Force failover to Yahoo", path: "/api/health/failover" },
  { key: "reconnect", label: "Reconnect Alpaca", path: "/api/health/alpaca/reconnect" },
  { key: "automatic", label: "Back to automatic", path: "/api/health/automatic" },
] as const;

type Outcome = { ok: boolean; text: string; status: number };

/**
 * The runbook's operator actions. The admin token is pasted by the operator, kept only in this
 * component's memory and sent as a bearer header; the API refuses without it (401/403).
 */
export function OpsActions({ onDone }: { onDone: () => void }) {
  const [token, setToken] = useState("");
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (path: string, label: string): Promise<void> => {
    setBusy(true);
    try {
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (token.trim() !== "") headers.authorization = `Bearer ${token.trim()}`;
      const result = await getJson(path, opsResult, { method: "POST", headers, body: "{}" });
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
      <p className="muted">
        Needs an admin token: <code>npm run token -- you --admin</code>. It is not stored.
      </p>
      <div className="toolbar">
        <input
          type="password"
          data-testid="admin-token"
          placeholder="admin bearer token"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          size={40}
          autoComplete="off"
        />
        {ACTIONS.map((a) => (
          <button
            key={a.key}
            type="button"
            data-testid={`ops-${a.key}`}
            disabled={busy}
            onClick={() => void run(a.path, a.label)}
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
