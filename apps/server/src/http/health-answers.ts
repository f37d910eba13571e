import type { Clock } from "../clock";
import { alpacaStatus, dataSourceStatus, worst, writerStatus, type HealthStatus } from "./health-status";
import { leaderOf } from "./bus-readiness";
import { ingestThreadStatus } from "./ingest-thread-readiness";
import { readiness } from "./readiness";
import { lastPriceAt, pricePresentation } from "./presentation";
import type { OpsViews, ReadinessSettings } from "./views";

// The bodies of the health endpoints, built from the views alone: field names are the ones the
// on-call `curl … | jq …` commands read (docs/runbooks.md).

const DISPLAY_SOURCE = { alpaca: "Alpaca", yahoo: "Yahoo", backfill: "Alpaca" } as const;

/** GET /api/health/alpaca (RUNBOOK-001). */
export function alpacaHealth(views: OpsViews) {
  const health = views.alpaca();
  const router = views.router();
  return {
    status: alpacaStatus(health),
    alpacaStatus: {
      enabled: router?.primaryEnabled ?? health !== null,
      connected: health?.connected ?? false,
      authenticated: health?.authenticated ?? false,
      healthy: health?.healthy ?? false,
      lastError: health?.lastError ?? null,
      consecutiveFailures: health?.consecutiveFailures ?? 0,
      subscribedSymbols: health?.subscribedSymbols ?? [],
      lastMessageAt: iso(health?.lastMessageAt ?? null),
      lastSuccessAt: iso(health?.lastSuccessAt ?? null),
      messagesReceived: health?.messagesReceived ?? 0,
      reconnectAttempts: health?.reconnectAttempts ?? 0,
      configurationError: health?.configurationError ?? false,
    },
    replica: views.replica(),
    leader: leaderOf(views),
    simulatedMarket: views.simulatedMarket,
  };
}

/** GET /api/health/datasource: the router, validation, writer and backfill in one answer. */
export function dataSourceHealth(views: OpsViews) {
  const router = views.router();
  const ingest = views.ingest();
  const validation = views.validation();
  return {
    status: dataSourceStatus(router),
    connectionState: router?.connectionState ?? "BOTH_UNAVAILABLE",
    currentDataSource: router?.currentDataSource ?? null,
    since: router?.since ?? null,
    fallbackCount: router?.fallbackCount ?? 0,
    lastTransition: router?.lastTransition ?? null,
    recentTransitions: router?.recentTransitions ?? [],
    forcedMode: router?.forcedMode ?? { active: false, actor: null, since: null },
    primaryEnabled: router?.primaryEnabled ?? false,
    pricesStale: router?.pricesStale ?? true,
    market: views.market(),
    damping: router?.damping ?? null,
    primary: router?.primary ?? null,
    fallback: router?.fallback ?? null,
    settings: router?.settings ?? null,
    messageRate: ingest?.messagesPerSecond ?? 0,
    ingest,
    validation,
    crossSource: router?.crossSource ?? null,
    backfill: {
      runs: views.backfill(),
      minutesBackfilled: views.backfill().reduce((n, r) => n + r.minutesBackfilled, 0),
    },
    writer: views.writer(),
    ingestThread: views.ingestThread?.() ?? null,
    replica: views.replica(),
    leader: leaderOf(views),
    simulatedMarket: views.simulatedMarket,
  };
}

/** GET /api/health/stocks: what the price screens show, and why. */
export function stocksHealth(views: OpsViews) {
  const router = views.router();
  const alpaca = views.alpaca();
  const yahoo = views.yahoo();
  const source = router?.currentDataSource ?? null;
  const market = views.market();
  const symbols = views.symbols();
  return {
    status: dataSourceStatus(router),
    currentDataSource: source === null ? "None" : DISPLAY_SOURCE[source],
    connectionState: router?.connectionState ?? "BOTH_UNAVAILABLE",
    delayed: source === "yahoo",
    pricesStale: router?.pricesStale ?? true,
    presentation: pricePresentation(router, market),
    market,
    lastPriceAt: lastPriceAt(symbols),
    symbols,
    alpaca: {
      connected: alpaca?.connected ?? false,
      authenticated: alpaca?.authenticated ?? false,
      healthy: alpaca?.healthy ?? false,
      lastError: alpaca?.lastError ?? null,
      lastMessageAt: iso(alpaca?.lastMessageAt ?? null),
    },
    yahoo: {
      // Probed while it stands by, so this says whether a failover would find it working.
      role: source === "yahoo" ? "active" : "standby",
      healthy: yahoo?.healthy ?? false,
      lastSuccessAt: iso(yahoo?.lastSuccessAt ?? null),
      lastAttemptAt: iso(yahoo?.lastAttemptAt ?? null),
      lastError: yahoo?.lastError ?? null,
      consecutiveFailures: yahoo?.consecutiveFailures ?? 0,
    },
    simulatedMarket: views.simulatedMarket,
  };
}

/** GET /api/health/realtime. */
export function realtimeHealth(views: OpsViews) {
  const hub = views.realtime();
  const status: HealthStatus = hub === null ? "Unhealthy" : hub.shuttingDown ? "Degraded" : "Healthy";
  const data = hub ?? { ActiveHubs: 0, TotalConnections: 0 };
  return {
    status,
    ...data,
    replica: views.replica(),
    leader: leaderOf(views),
    // The seed's runbook reads `.checks[].data.TotalConnections` (ASP.NET health-check shape).
    checks: [{ name: "realtime-hub", status, data }],
  };
}

/** GET /health: every check (the worst decides), plus readiness. */
export function overallHealth(views: OpsViews, clock: Clock, settings: ReadinessSettings) {
  const now = clock.now();
  const database = views.database?.() ?? null;
  const checks: { name: string; status: HealthStatus }[] = [
    {
      name: "alpaca",
      status: views.router()?.primaryEnabled === false ? "Healthy" : alpacaStatus(views.alpaca()),
    },
    { name: "datasource", status: dataSourceStatus(views.router()) },
    { name: "writer", status: writerStatus(views.writer(), now, settings) },
    { name: "database", status: database === null || database.reachable ? "Healthy" : "Unhealthy" },
    { name: "realtime", status: views.realtime() === null ? "Unhealthy" : "Healthy" },
  ];
  const thread = views.ingestThread?.() ?? null;
  if (thread !== null) checks.push({ name: "ingest-thread", status: ingestThreadStatus(thread) });
  const { ready, reasons, dependencies } = readiness(views, now, settings);
  return {
    status: worst(...checks.map((c) => c.status)),
    ready,
    reasons,
    dependencies,
    checks,
    database,
    bus: views.bus?.() ?? null,
    replica: views.replica(),
    leader: leaderOf(views),
    simulatedMarket: views.simulatedMarket,
  };
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
