import type { FastifyInstance } from "fastify";

/** `GET /healthz`: the process is alive. Never depends on upstreams (that is what /readyz is for). */
export function registerLiveness(app: FastifyInstance): void {
  app.get("/healthz", () => ({ status: "ok" }));
}
