import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "../logger";
import type { Clock } from "../clock";
import { AuthError, OPS_AUDIENCE, type TokenVerifier } from "../realtime/auth";
import type { Principal } from "../realtime/transport";
import type { RouterSnapshot } from "../router";
import { FixedWindowLimiter } from "../security/fixed-window-limiter";
import { OpsAuditTrail, type OpsAction, type OpsAudit } from "./ops-audit";
import { opsRequests } from "./ops-metrics";
import type { OpsActions } from "../ingest/side";

export type { OpsAudit, OpsAuditEntry } from "./ops-audit";

export interface OpsRouteOptions {
  actions: OpsActions;
  audit: OpsAudit;
  clock: Clock;
  logger: Logger;
  /** Ops tokens: WS_AUTH_SECRET, audience torghut-ops. */
  tokens: TokenVerifier;
  /** Subjects treated as operators even without a role claim (ADMIN_TOKEN_SUBJECTS). */
  adminSubjects: readonly string[];
  /** Calls per actor per minute before 429. */
  perActorPerMinute?: number;
  /** Calls per client address per minute before 429, counted before the token is read. */
  perAddressPerMinute?: number;
  /** Refused attempts written to the audit per minute; the rest are only counted. */
  refusalsAuditedPerMinute?: number;
  /** An action still running after this answers 504 and is audited as a timeout. */
  actionTimeoutMs?: number;
}

/** Roles that may act; `admin` and `operator` are the same power here. */
const OPERATOR_ROLES = ["admin", "operator"];

/** Whether a verified ops token belongs to an operator (a role claim, or ADMIN_TOKEN_SUBJECTS). */
export function isOperator(principal: Principal, adminSubjects: readonly string[]): boolean {
  return (
    principal.roles.some((role) => OPERATOR_ROLES.includes(role)) || adminSubjects.includes(principal.sub)
  );
}

class OpsTimeoutError extends Error {
  override readonly name = "OpsTimeoutError";
  readonly retryable = true;
}

/**
 * Operator actions from the runbooks. In order, so that nothing costly or audited happens for a
 * flood: a rate limit per client address, the ops token (audience torghut-ops), the operator role,
 * a rate limit per actor, then the action under a deadline. Every attempt is audited in
 * source_events with its actor, address and result (refusals within a budget, see OpsAuditTrail).
 */
export function registerOpsRoutes(app: FastifyInstance, options: OpsRouteOptions): void {
  const ops = new OpsRoutes(options);
  const route = (path: string, action: OpsAction, run: OpsRun): void => {
    app.post(path, (request, reply) => ops.handle(request, reply, action, run));
  };
  route("/api/health/failover", "failover", (actor) => options.actions.forceFallback(actor));
  route("/api/health/alpaca/reconnect", "reconnect", (actor) => options.actions.reconnectPrimary(actor));
  route("/api/health/automatic", "automatic", (actor) => options.actions.releaseToAutomatic(actor));
}

type OpsRun = (actor: string) => Promise<RouterSnapshot> | RouterSnapshot;

interface Refusal {
  action: OpsAction;
  actor: string;
  address: string;
  detail: string;
  audited: boolean;
}

class OpsRoutes {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly byActor: FixedWindowLimiter;
  private readonly byAddress: FixedWindowLimiter;
  private readonly trail: OpsAuditTrail;
  private readonly timeoutMs: number;

  constructor(private readonly options: OpsRouteOptions) {
    const clock = (this.clock = options.clock);
    this.log = options.logger.child({ component: "ops" });
    this.byActor = new FixedWindowLimiter(clock, options.perActorPerMinute ?? 10, 60_000);
    this.byAddress = new FixedWindowLimiter(clock, options.perAddressPerMinute ?? 30, 60_000);
    this.trail = new OpsAuditTrail(options.audit, clock, this.log, options.refusalsAuditedPerMinute ?? 60);
    this.timeoutMs = options.actionTimeoutMs ?? 10_000;
  }

  async handle(
    request: FastifyRequest,
    reply: FastifyReply,
    action: OpsAction,
    run: OpsRun,
  ): Promise<unknown> {
    const actor = await this.admit(request, reply, action);
    if (actor === null) return reply;
    const address = request.ip;
    let snapshot: RouterSnapshot;
    try {
      snapshot = await this.withDeadline(() => run(actor));
    } catch (error) {
      return this.failed(error, reply, { actor, action, address });
    }
    this.log.warn(
      { actor, action, address, state: snapshot.connectionState },
      `ops action ${action} by ${actor}`,
    );
    opsRequests.inc({ action, result: "ok" });
    await this.trail.write({
      actor,
      action,
      result: "ok",
      detail: null,
      address,
      state: snapshot.connectionState,
    });
    return {
      result: "ok",
      action,
      actor,
      connectionState: snapshot.connectionState,
      currentDataSource: snapshot.currentDataSource,
      forcedMode: snapshot.forcedMode,
    };
  }

  /** An action that threw or ran out of time: audited, counted, answered (or rethrown with its own status). */
  private async failed(
    error: unknown,
    reply: FastifyReply,
    call: { actor: string; action: OpsAction; address: string },
  ): Promise<unknown> {
    const { actor, action, address } = call;
    const own = (error as { statusCode?: unknown }).statusCode;
    if (typeof own === "number" && own >= 400 && own < 600) {
      // The action's own answer (409: not the leader, which it names; 503: ingest restarting).
      const result = own < 500 ? "refused" : "error";
      opsRequests.inc({ action, result });
      await this.trail.write({ actor, action, result, detail: (error as Error).name, address, state: null });
      throw error;
    }
    const timedOut = error instanceof OpsTimeoutError;
    const result = timedOut ? "timeout" : "error";
    this.log.error({ err: error, actor, action }, `ops action ${action} by ${actor} failed (${result})`);
    opsRequests.inc({ action, result });
    const detail = timedOut ? `no answer in ${this.timeoutMs} ms` : "the action failed";
    await this.trail.write({ actor, action, result, detail, address, state: null });
    return reply.code(timedOut ? 504 : 500).send({ error: result, message: `${action}: ${detail}` });
  }

  private async refuse(
    reply: FastifyReply,
    status: 401 | 403 | 429,
    entry: Refusal,
    message: string,
  ): Promise<null> {
    opsRequests.inc({ action: entry.action, result: entry.detail });
    if (entry.audited) {
      await this.trail.write({ ...entry, result: "refused", state: null });
    }
    if (status === 401) reply.header("www-authenticate", 'Bearer realm="torghut-ops"');
    if (status === 429) reply.header("retry-after", "60");
    await reply.code(status).send({ error: entry.detail, message });
    return null;
  }

  /** The actor when every check passes; null when the reply (a refusal) has been sent. */
  private async admit(
    request: FastifyRequest,
    reply: FastifyReply,
    action: OpsAction,
  ): Promise<string | null> {
    const { byAddress, byActor } = this;
    const address = request.ip;
    // Before the token: a flood costs one map lookup per request. Only the first refusal of a window
    // is audited, so an address writes at most limit + 1 rows a minute.
    const fromAddress = byAddress.take(address);
    if (fromAddress > byAddress.limit) {
      const audited = fromAddress === byAddress.limit + 1;
      const entry = { action, actor: "anonymous", address, detail: "rate_limited", audited };
      return this.refuse(
        reply,
        429,
        entry,
        `At most ${byAddress.limit} ops calls per minute from one address`,
      );
    }
    const header = request.headers.authorization;
    const token = header?.startsWith("Bearer ") ? header.slice(7).trim() : "";
    let principal: Principal;
    try {
      principal = await this.options.tokens.verify(token, OPS_AUDIENCE, this.clock.now());
    } catch (error) {
      const reason = error instanceof AuthError ? error.code : "invalid_token";
      const entry = { action, actor: "anonymous", address, detail: "unauthorized", audited: true };
      return this.refuse(reply, 401, entry, `An operator's ops token is required (${reason})`);
    }
    const actor = principal.sub;
    if (!isOperator(principal, this.options.adminSubjects)) {
      const entry = { action, actor, address, detail: "forbidden", audited: true };
      return this.refuse(reply, 403, entry, "The operator (or admin) role is required");
    }
    const fromActor = byActor.take(actor);
    if (fromActor > byActor.limit) {
      const entry = {
        action,
        actor,
        address,
        detail: "rate_limited",
        audited: fromActor === byActor.limit + 1,
      };
      return this.refuse(reply, 429, entry, `At most ${byActor.limit} ops calls per minute`);
    }
    return actor;
  }

  /** The action, or OpsTimeoutError once the deadline passes (the action may still complete later). */
  private withDeadline(run: () => Promise<RouterSnapshot> | RouterSnapshot): Promise<RouterSnapshot> {
    const { clock, timeoutMs } = this;
    return new Promise<RouterSnapshot>((resolve, reject) => {
      const timer = clock.setTimeout(
        () => reject(new OpsTimeoutError(`no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      Promise.resolve()
        .then(run)
        .then(resolve, reject)
        .finally(() => clock.clearTimeout(timer));
    });
  }
}
