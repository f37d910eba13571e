import type { FastifyInstance } from "fastify";

/**
 * `GET /healthz` (and `/livez`, Kubernetes' newer name): the process is alive. Never depends on
 * upstreams or the database (that is what /readyz is for): restarting a replica cures no outage.
 */
export function registerLiveness(app: FastifyInstance): void {
  app.get("/healthz", () => ({ status: "ok" }));
  app.get("/livez", () => ({ status: "ok" }));
}
