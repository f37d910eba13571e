import helmet from "@fastify/helmet";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from "fastify";
import type { Logger } from "../logger";

export interface HttpServerOptions {
  logger: Logger;
  /** Largest accepted request body; ops POSTs are tiny. */
  bodyLimit?: number;
  /** TRUSTED_PROXIES: whose X-Forwarded-For sets `request.ip` (rate limits, the ops audit). */
  trustedProxies?: readonly string[];
}

/**
 * The one HTTP server of the process: REST routes register on it, and the real-time transports
 * attach to its underlying `http.Server` for upgrades, so everything is served on `PORT`.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const httpLogger: FastifyBaseLogger = options.logger.child({ component: "http" });
  const app = Fastify({
    loggerInstance: httpLogger,
    // Per-request logs would cost more than the health endpoints themselves under load.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // The query string may carry `?token=` for WebSocket clients: never log raw URLs with it.
    return503OnClosing: true,
    // proxy-addr, as for the realtime transports (security/client-address.ts): the same clients.
    trustProxy: options.trustedProxies?.length ? [...options.trustedProxies] : false,
  });

  // Every answer is JSON, text or metrics, never a page: nothing may load from it, frame it or sniff it.
  void app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    },
    frameguard: { action: "deny" },
    referrerPolicy: { policy: "no-referrer" },
    crossOriginResourcePolicy: { policy: "same-site" },
    // Sent always: browsers honour it only over TLS (RFC 6797), which is where the API is exposed.
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });

  app.setNotFoundHandler((request, reply) => {
    void reply
      .code(404)
      .send({ error: "not_found", message: `No route for ${request.method} ${request.url.split("?")[0]}` });
  });

  app.setErrorHandler(
    (error: { statusCode?: number; validation?: unknown; message: string }, request, reply) => {
      const status =
        error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      if (status >= 500)
        request.log.error({ err: error, route: request.url.split("?")[0] }, "request failed");
      // Error bodies never carry stack traces or internals; 4xx messages come from our own validation.
      void reply.code(status).send({
        error: status >= 500 ? "internal_error" : "bad_request",
        message: status >= 500 ? "Internal server error" : error.message,
      });
    },
  );

  return app;
}
