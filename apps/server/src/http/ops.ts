import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import type { Clock } from "../clock";
import { AuthError, verifyToken } from "../realtime/auth";
import type { Principal } from "../realtime/transport";
import type { RouterSnapshot } from "../router";
import { opsRequests } from "./ops-metrics";
import type { OpsActions } from "./views";

export interface OpsAudit {
  record(entry: {
    actor: string;
    action: string;
    result: string;
    state: string | null;
    at: number;
  }): Promise<void>;
}

export interface OpsRouteOptions {
  actions: OpsActions;
  audit: OpsAudit;
  clock: Clock;
  logger: Logger;
  authSecret: string;
  /** Subjects treated as admins even without an `admin` role claim (ADMIN_TOKEN_SUBJECTS). */
  adminSubjects: readonly string[];
  /** Calls per actor per minute before 429. */
  perActorPerMinute?: number;
}

type Action = "failover" | "reconnect" | "automatic";

/**
 * Operator actions from the runbooks. Each needs a JWT with the admin role, is rate-limited per
 * actor, and is audited in source_events whatever its result.
 */
export function registerOpsRoutes(app: FastifyInstance, options: OpsRouteOptions): void {
  const limit = options.perActorPerMinute ?? 10;
  const recent = new Map<string, number[]>();
  const log = options.logger.child({ component: "ops" });

  async function authorize(
    request: FastifyRequest,
    reply: FastifyReply,
    action: Action,
  ): Promise<string | null> {
    const header = request.headers.authorization;
    const token = header?.startsWith("Bearer ") ? header.slice(7).trim() : "";
    let principal: Principal;
    try {
      principal = await verifyToken(token, { secret: options.authSecret, now: options.clock.now() });
    } catch (error) {
      const reason = error instanceof AuthError ? error.code : "invalid_token";
      opsRequests.inc({ action, result: "unauthorized" });
      await reply
        .code(401)
        .header("www-authenticate", 'Bearer realm="torghut-ops"')
        .send({ error: "unauthorized", message: `An admin bearer token is required (${reason})` });
      return null;
    }
    const isAdmin = principal.roles.includes("admin") || options.adminSubjects.includes(principal.sub);
    if (!isAdmin) {
      opsRequests.inc({ action, result: "forbidden" });
      await audit(principal.sub, action, "forbidden", null);
      await reply.code(403).send({ error: "forbidden", message: "The admin role is required" });
      return null;
    }
    if (!allow(principal.sub)) {
      opsRequests.inc({ action, result: "rate_limited" });
      await audit(principal.sub, action, "rate_limited", null);
      await reply
        .code(429)
        .header("retry-after", "60")
        .send({ error: "rate_limited", message: `At most ${limit} ops calls per minute` });
      return null;
    }
    return principal.sub;
  }

  function allow(actor: string): boolean {
    const now = options.clock.now();
    const calls = (recent.get(actor) ?? []).filter((t) => now - t < 60_000);
    if (calls.length >= limit) {
      recent.set(actor, calls);
      return false;
    }
    calls.push(now);
    recent.set(actor, calls);
    return true;
  }

  async function audit(actor: string, action: Action, result: string, state: string | null): Promise<void> {
    try {
      await options.audit.record({ actor, action, result, state, at: options.clock.now() });
    } catch (error) {
      // The action itself already happened (or was refused); a failed audit write is logged, not fatal.
      log.error({ err: error, action, actor }, "ops audit write failed");
    }
  }

  function route(
    path: string,
    action: Action,
    run: (actor: string) => Promise<RouterSnapshot> | RouterSnapshot,
  ) {
    app.post(path, async (request, reply) => {
      const actor = await authorize(request, reply, action);
      if (actor === null) return reply;
      const snapshot = await run(actor);
      log.warn({ actor, action, state: snapshot.connectionState }, `ops action ${action} by ${actor}`);
      opsRequests.inc({ action, result: "ok" });
      await audit(actor, action, "ok", snapshot.connectionState);
      return {
        result: "ok",
        action,
        actor,
        connectionState: snapshot.connectionState,
        currentDataSource: snapshot.currentDataSource,
        forcedMode: snapshot.forcedMode,
      };
    });
  }

  route("/api/health/failover", "failover", (actor) => options.actions.forceFallback(actor));
  route("/api/health/alpaca/reconnect", "reconnect", (actor) => options.actions.reconnectPrimary(actor));
  route("/api/health/automatic", "automatic", (actor) => options.actions.releaseToAutomatic(actor));
}
