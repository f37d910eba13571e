import { Counter } from "prom-client";
import { registry } from "../metrics/registry";

export const opsRequests = new Counter({
  name: "ops_requests_total",
  help: "Admin ops POSTs by action and result (ok, unauthorized, forbidden, rate_limited)",
  labelNames: ["action", "result"],
  registers: [registry],
});
