import { Counter } from "prom-client";
import { registry } from "../metrics/registry";

export const opsRequests = new Counter({
  name: "ops_requests_total",
  help: "Ops POSTs by action and result (ok, unauthorized, forbidden, rate_limited, error, timeout)",
  labelNames: ["action", "result"],
  registers: [registry],
});

export const opsAuditSuppressed = new Counter({
  name: "ops_audit_suppressed_total",
  help: "Refused ops attempts not written to source_events because the refusal audit budget was spent (a flood); counted here instead",
  registers: [registry],
});

export const opsHistoryFallbacks = new Counter({
  name: "ops_history_prometheus_fallbacks_total",
  help: "Ops console history requests served from memory because PROMETHEUS_URL did not answer in time or correctly",
  registers: [registry],
});
