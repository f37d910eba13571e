/**
 * Fault and counter controls over HTTP, for tests, benchmarks and people with curl:
 *   POST /control/faults (FaultSpec JSON) · GET /control/faults · DELETE /control/faults[?target=]
 *   GET /control/counters · POST /control/rate {"tradesPerSecond":n} · POST /control/advance {"ms":n}
 *   GET|POST /control/market {"open":false} (the session: closed means no trades and a closed clock)
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { SimulatorControl } from "./api";
import type { FaultBook } from "./faults";
import { readBody, sendJson } from "./http";

const rateSchema = z.strictObject({ tradesPerSecond: z.number().nonnegative().max(5_000_000) });
const advanceSchema = z.strictObject({
  ms: z
    .number()
    .int()
    .positive()
    .max(7 * 86_400_000),
});
const targetSchema = z.enum(["alpaca", "rest", "yahoo", "trading"]);
const marketSchema = z.strictObject({
  open: z.boolean(),
  announceMs: z.number().int().min(0).max(3_600_000).optional(),
});

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  control: SimulatorControl,
  faults: FaultBook,
): Promise<void> {
  const route = `${req.method ?? "GET"} ${url.pathname.replace(/\/$/, "")}`;
  try {
    switch (route) {
      case "GET /control/faults":
        return sendJson(res, 200, {
          now: control.now(),
          active: faults.activeFaults(),
          pending: faults.pendingFaults(),
        });
      case "POST /control/faults": {
        const spec = faults.set(parseJson(await readBody(req)));
        return sendJson(res, 201, { fault: spec, now: control.now() });
      }
      case "DELETE /control/faults": {
        const target = url.searchParams.get("target");
        control.clearFaults(target === null ? undefined : targetSchema.parse(target));
        return sendJson(res, 200, { active: faults.activeFaults() });
      }
      case "GET /control/counters":
        return sendJson(res, 200, control.counters());
      case "POST /control/rate": {
        const { tradesPerSecond } = rateSchema.parse(parseJson(await readBody(req)));
        control.setTradesPerSecond(tradesPerSecond);
        return sendJson(res, 200, { tradesPerSecond });
      }
      case "GET /control/market":
        return sendJson(res, 200, { open: control.isMarketOpen() });
      case "POST /control/market": {
        const { open, announceMs } = marketSchema.parse(parseJson(await readBody(req)));
        control.setMarketOpen(open, announceMs);
        return sendJson(res, 200, { open });
      }
      case "POST /control/advance": {
        const { ms } = advanceSchema.parse(parseJson(await readBody(req)));
        control.advance(ms);
        return sendJson(res, 200, { now: control.now() });
      }
      default:
        return sendJson(res, 404, { message: "not found" });
    }
  } catch (error) {
    const message =
      error instanceof z.ZodError
        ? z.prettifyError(error)
        : error instanceof Error
          ? error.message
          : String(error);
    return sendJson(res, 400, { message });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error("body must be JSON");
  }
}
