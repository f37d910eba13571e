"use client";
import { useState } from "react";
import { getJson } from "@/lib/api";
import { formatMs, formatTime } from "@/lib/format";
import { usePoll } from "@/lib/use-poll";
import { OpsActions } from "./ops-actions";
import { datasourceResponse, realtimeResponse } from "./ops-schemas";

/** `/ops`: the router's state and history, data quality, writer and hub health, operator actions. */
export function OpsConsole({ canAct }: { canAct: boolean }) {
  const [refresh, setRefresh] = useState(0);
  const ds = usePoll(() => getJson("/api/health/datasource", datasourceResponse), 2_000, [refresh]);
  const rt = usePoll(() => getJson("/api/health/realtime", realtimeResponse), 2_000, [refresh]);
  const d = ds.data;
  return (
    <>
      <div className="toolbar">
        <h1>Operations</h1>
        {d !== undefined ? (
          <span className="pill" data-testid="router-state" data-state={d.connectionState}>
            {d.connectionState}
          </span>
        ) : null}
        {d?.forcedMode.active ? (
          <span className="badge badge-delayed" data-testid="forced-mode">
            FORCED by {d.forcedMode.actor}
          </span>
        ) : null}
      </div>
      {ds.error !== undefined ? (
        <div className="banner banner-error" role="alert" data-testid="error-banner">
          Data-source health unavailable: {ds.error.message}
        </div>
      ) : null}
      <div className="grid">
        <section className="panel" data-testid="router-panel">
          <h2>Router</h2>
          <dl>
            <dt>State</dt>
            <dd>{d?.connectionState ?? "—"}</dd>
            <dt>Source</dt>
            <dd data-testid="current-source">{d?.currentDataSource ?? "none"}</dd>
            <dt>Since</dt>
            <dd>{formatTime(d?.since)}</dd>
            <dt>Failovers</dt>
            <dd>{d?.fallbackCount ?? "—"}</dd>
            <dt>Prices stale</dt>
            <dd>{d === undefined ? "—" : d.pricesStale ? "yes" : "no"}</dd>
            <dt>Message rate</dt>
            <dd>{d === undefined ? "—" : `${d.messageRate.toFixed(1)}/s`}</dd>
          </dl>
        </section>
        <section className="panel" data-testid="quality-panel">
          <h2>Validation and cross-source</h2>
          <dl>
            <dt>Checked</dt>
            <dd>{d?.validation?.checked ?? "—"}</dd>
            <dt>Suspicious</dt>
            <dd>{d?.validation?.suspicious ?? "—"}</dd>
            <dt>Rejected</dt>
            <dd>{d?.validation?.rejected ?? "—"}</dd>
            <dt>Failure rate</dt>
            <dd>{d?.validation ? `${(d.validation.failureRate * 100).toFixed(2)}%` : "—"}</dd>
            <dt>Cross-source checks</dt>
            <dd>
              {d?.crossSource
                ? `${d.crossSource.checks} (${d.crossSource.deltasOverThreshold} over ${d.crossSource.thresholdPercent}%)`
                : "—"}
            </dd>
          </dl>
        </section>
        <section className="panel" data-testid="writer-panel">
          <h2>Writer and clients</h2>
          <dl>
            <dt>Writer lag</dt>
            <dd data-testid="writer-lag">{formatMs(d?.writer?.commitLagMs)}</dd>
            <dt>Queue</dt>
            <dd>{d?.writer?.queueDepth ?? "—"}</dd>
            <dt>Committed</dt>
            <dd>{d?.writer?.committed ?? "—"}</dd>
            <dt>Dropped</dt>
            <dd>{d?.writer?.dropped ?? "—"}</dd>
            <dt>Connected clients</dt>
            <dd data-testid="connected-clients">{rt.data?.TotalConnections ?? "—"}</dd>
          </dl>
        </section>
      </div>
      <OpsActions canAct={canAct} onDone={() => setRefresh((n) => n + 1)} />
      <section className="panel">
        <h2>Transitions</h2>
        {d === undefined || d.recentTransitions.length === 0 ? (
          <p className="muted" data-testid="timeline-empty">
            No transitions since start.
          </p>
        ) : (
          <ol className="timeline" data-testid="transition-timeline">
            {[...d.recentTransitions].reverse().map((t) => (
              <li key={`${t.at}-${t.to}-${t.event}`}>
                {formatTime(t.at)} · {t.from} → <strong>{t.to}</strong> · {t.reason} · by {t.actor}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
