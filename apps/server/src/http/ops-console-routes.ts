import {
  routerStateSchema,
  type OpsHistoryResponse,
  type RejectionsByReasonResponse,
  type SourceEventsResponse,
} from "@torghut/contracts";
import type { Database } from "@torghut/db";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Clock } from "../clock";
import { queryRejectionsByReason, querySourceEvents } from "../store/ops-queries";
import type { OpsHistory } from "./ops-history";
import { opsHistoryFallbacks } from "./ops-metrics";
import { BadQueryError } from "./ta/params";

const HOUR = 3_600_000;

const eventsQuery = z.strictObject({
  hours: z.coerce
    .number()
    .positive()
    .max(24 * 31)
    .default(24),
  actor: z.string().trim().min(1).max(200).optional(),
  state: routerStateSchema.optional(),
  q: z.string().trim().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});
const rejectionsQuery = z.strictObject({
  hours: z.coerce
    .number()
    .positive()
    .max(24 * 31)
    .default(24),
});

function parse<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    throw new BadQueryError(
      parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; "),
    );
  return parsed.data;
}

/**
 * What the ops console draws: the live figures' recent history, the audit log (`source_events`) with
 * filters and the state when the window opened, and validation failures by reason. Registered in
 * the health scope: public callers get addresses redacted from the reasons.
 */
export function registerOpsConsoleRoutes(
  app: FastifyInstance,
  deps: {
    database: Database;
    clock: Clock;
    history: OpsHistory;
    /** PROMETHEUS_URL set: the charts read Prometheus, and this process's history only when it fails. */
    prometheus?: { read(): Promise<OpsHistoryResponse> };
  },
): void {
  const { database, clock, history, prometheus } = deps;
  const inMemory = (problem: string | null): OpsHistoryResponse => ({
    intervalMs: history.intervalMs,
    samples: [...history.samples()],
    source: "memory",
    problem,
  });
  // Logged when Prometheus starts and stops failing, not on every console refresh (the metric counts those).
  let prometheusFailing = false;
  app.get("/api/health/history", async (request): Promise<OpsHistoryResponse> => {
    if (prometheus === undefined) return inMemory(null);
    try {
      const answer = await prometheus.read();
      if (prometheusFailing) request.log.info("ops history: Prometheus answers again");
      prometheusFailing = false;
      return answer;
    } catch (error) {
      // Whatever went wrong there, the console still shows this process's own recent figures.
      const message = error instanceof Error ? error.message : String(error);
      opsHistoryFallbacks.inc();
      if (!prometheusFailing) {
        request.log.warn({ err: message }, "ops history: Prometheus failed, serving the in-memory history");
      }
      prometheusFailing = true;
      return inMemory(`${message}: showing this server's own history`);
    }
  });

  app.get("/api/health/events", async (request): Promise<SourceEventsResponse> => {
    const query = parse(eventsQuery, request.query);
    const to = clock.now();
    const from = to - query.hours * HOUR;
    const { events, stateAtStart } = await querySourceEvents(database, { ...query, fromMs: from });
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), stateAtStart, events };
  });

  app.get("/api/health/rejections", async (request): Promise<RejectionsByReasonResponse> => {
    const { hours } = parse(rejectionsQuery, request.query);
    const from = clock.now() - hours * HOUR;
    const byReason = await queryRejectionsByReason(database, from);
    return {
      from: new Date(from).toISOString(),
      total: byReason.reduce((sum, r) => sum + r.count, 0),
      byReason,
    };
  });
}
