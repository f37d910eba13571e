import { watchlistUpdateSchema, type UserWatchlist } from "@torghut/contracts";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "../logger";
import type { Clock } from "../clock";
import { AuthError, HUB_AUDIENCE, type TokenVerifier } from "../realtime/auth";
import { watchlistRequests } from "./metrics";
import type { SavedWatchlist, WatchlistStore } from "./watchlist-store";

export interface WatchlistRouteOptions {
  store: WatchlistStore;
  /** Hub tokens (audience torghut-hub): the web app mints one for the signed-in user per call. */
  tokens: TokenVerifier;
  clock: Clock;
  logger: Logger;
}

type Method = "GET" | "PUT";

/**
 * `GET` / `PUT /api/me/watchlist`: the caller's own list, keyed by the token's subject, so a trader
 * finds it in any browser. There is no way to name another user: the subject is the only key.
 */
export function registerWatchlistRoutes(app: FastifyInstance, options: WatchlistRouteOptions): void {
  const log = options.logger.child({ component: "watchlists" });

  async function subjectOf(request: FastifyRequest, reply: FastifyReply, method: Method) {
    const header = request.headers.authorization;
    const token = header?.startsWith("Bearer ") === true ? header.slice(7).trim() : "";
    try {
      if (token === "") throw new AuthError("missing_token", "Bearer token required");
      return (await options.tokens.verify(token, HUB_AUDIENCE)).sub;
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      watchlistRequests.inc({ method, result: "unauthorized" });
      reply.header("www-authenticate", 'Bearer realm="torghut-hub"');
      await reply.code(401).send({ error: error.code, message: error.message });
      return null;
    }
  }

  app.get("/api/me/watchlist", async (request, reply) => {
    const subject = await subjectOf(request, reply, "GET");
    if (subject === null) return reply;
    const saved = await options.store.get(subject);
    watchlistRequests.inc({ method: "GET", result: "ok" });
    return reply.header("cache-control", "no-store").send(view(saved));
  });

  app.put("/api/me/watchlist", async (request, reply) => {
    const subject = await subjectOf(request, reply, "PUT");
    if (subject === null) return reply;
    const parsed = watchlistUpdateSchema.safeParse(request.body);
    if (!parsed.success) {
      watchlistRequests.inc({ method: "PUT", result: "bad_request" });
      const issue = parsed.error.issues[0];
      const where = issue === undefined || issue.path.length === 0 ? "" : `${issue.path.join(".")}: `;
      log.info({ subject, issue: issue?.message }, "watchlist save refused");
      return reply
        .code(400)
        .send({ error: "bad_request", message: `${where}${issue?.message ?? "invalid body"}` });
    }
    const saved = await options.store.put(subject, parsed.data.symbols, new Date(options.clock.now()));
    watchlistRequests.inc({ method: "PUT", result: "ok" });
    return reply.header("cache-control", "no-store").send(view(saved));
  });
}

function view(saved: SavedWatchlist | null): UserWatchlist {
  return saved === null
    ? { symbols: null, updatedAt: null }
    : { symbols: saved.symbols, updatedAt: saved.updatedAt.toISOString() };
}
