import { Counter } from "prom-client";
import { registry } from "../metrics/registry";

export const watchlistRequests = new Counter({
  name: "watchlist_requests_total",
  help: "Per-user watchlist reads and saves by method and result (ok, unauthorized, bad_request)",
  labelNames: ["method", "result"],
  registers: [registry],
});
