"use client";
import { useState } from "react";
import { getJson } from "@/lib/api";
import { formatEasternTime, formatMs } from "@/lib/format";
import { usePoll } from "@/lib/use-poll";
import {
  datasourceResponseSchema,
  opsHistoryResponseSchema,
  realtimeHealthResponseSchema,
  rejectionsByReasonResponseSchema,
  sourceEventsResponseSchema,
} from "@torghut/contracts";
import { AuditLog } from "./audit-log";
import { MiniChart } from "./mini-chart";
import { OpsActions } from "./ops-actions";
import { StateTimeline } from "./state-timeline";

/** `/ops`: the router's state and history, data quality, writer and hub health, operator actions. */
export function OpsConsole({ canAct }: { canAct: boolean }) {
  const [refresh, setRefresh] = useState(0);
  const ds = usePoll(() => getJson("/api/health/datasource", datasourceResponseSchema), 2_000, [refresh]);
  const rt = usePoll(() => getJson("/api/health/realtime", realtimeHealthResponseSchema), 2_000, [refresh]);
  const history = usePoll(() => getJson("/api/health/history", opsHistoryResponseSchema), 5_000, []);
  const day = usePoll(
    () => getJson("/api/health/events?hours=24&limit=1000", sourceEventsResponseSchema),
    10_000,
    [refresh],
  );
  const rejections = usePoll(
    () => getJson("/api/health/rejections?hours=24", rejectionsByReasonResponseSchema),
    15_000,
    [],
  );
  const d = ds.data;
  const samples = history.data?.samples ?? [];
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
      <section className="panel" data-testid="state-timeline">
        <h2>Router state, last 24 hours</h2>
        {day.data !== undefined ? (
          <StateTimeline
            from={day.data.from}
            to={day.data.to}
            stateAtStart={day.data.stateAtStart}
            events={day.data.events}
            now={
              d === undefined || d.since === null
                ? null
                : { state: d.connectionState, sinceMs: Date.parse(d.since) }
            }
          />
        ) : day.error !== undefined ? (
          <p className="banner banner-error" role="alert">
            Timeline unavailable: {day.error.message}
          </p>
        ) : (
          <p className="muted" aria-busy="true">
            Loading the timeline…
          </p>
        )}
      </section>
      <section className="panel live-charts" data-testid="live-charts">
        <h2>Live figures{history.data ? `, every ${history.data.intervalMs / 1000} s` : ""}</h2>
        <p className="muted" data-testid="history-source" data-source={history.data?.source ?? ""}>
          {history.data?.source === "prometheus"
            ? "From Prometheus: every replica, kept across restarts"
            : "From this server's memory: the last hour, since it started"}
        </p>
        {history.data?.problem != null ? (
          <p className="banner banner-warn" role="status" data-testid="history-problem">
            {history.data.problem}
          </p>
        ) : null}
        {history.error !== undefined ? (
          <p className="banner banner-error" role="alert">
            History unavailable: {history.error.message}
          </p>
        ) : null}
        <div className="mini-charts">
          <MiniChart samples={samples} field="messageRate" label="Messages/s" format={(v) => v.toFixed(1)} />
          <MiniChart samples={samples} field="feedLagMs" label="Feed lag (ws_lag_ms)" format={formatMs} />
          <MiniChart samples={samples} field="writerLagMs" label="Writer lag" format={formatMs} />
          <MiniChart samples={samples} field="clients" label="Connected clients" format={(v) => String(v)} />
        </div>
      </section>
      <div className="grid">
        <section className="panel" data-testid="router-panel">
          <h2>Router</h2>
          <dl>
            <dt>State</dt>
            <dd>{d?.connectionState ?? "—"}</dd>
            <dt>Source</dt>
            <dd data-testid="current-source">{d?.currentDataSource ?? "none"}</dd>
            <dt>Since</dt>
            <dd>{formatEasternTime(d?.since)}</dd>
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
      <section className="panel" data-testid="rejections-panel">
        <h2>Validation failures, last 24 hours</h2>
        {rejections.data === undefined ? (
          <p className="muted">
            {rejections.error ? `Unavailable: ${rejections.error.message}` : "Loading…"}
          </p>
        ) : rejections.data.byReason.length === 0 ? (
          <p className="muted" data-testid="rejections-empty">
            No tick failed validation.
          </p>
        ) : (
          <ul className="reason-bars">
            {rejections.data.byReason.map((r) => (
              <li key={r.reason} data-testid="rejection-reason" data-reason={r.reason} data-count={r.count}>
                <span className="reason-name">{r.reason}</span>
                <span
                  className="reason-bar"
                  style={{ width: `${(r.count / rejections.data!.byReason[0]!.count) * 60}%` }}
                  aria-hidden="true"
                />
                <span className="num">{r.count}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <OpsActions canAct={canAct} onDone={() => setRefresh((n) => n + 1)} />
      <AuditLog refresh={refresh} />
      <section className="panel">
        <h2>Transitions since start</h2>
        {d === undefined || d.recentTransitions.length === 0 ? (
          <p className="muted" data-testid="timeline-empty">
            No transitions since start.
          </p>
        ) : (
          <ol className="timeline" data-testid="transition-timeline">
            {[...d.recentTransitions].reverse().map((t) => (
              <li key={`${t.at}-${t.to}-${t.event}`}>
                {formatEasternTime(t.at)} · {t.from} → <strong>{t.to}</strong> · {t.reason} · by {t.actor}
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
