import { Counter } from "prom-client";
import { registry } from "../../metrics/registry";

export const taRefused = new Counter({
  name: "torghut_ta_refused_total",
  help: "TA API requests refused: bad_query (400: a malformed, out-of-range or too costly parameter), rate_limited (429)",
  labelNames: ["reason"],
  registers: [registry],
});
