# syntax=docker/dockerfile:1
# Torghut's images: one Dockerfile, one target per process.
#   docker build --target server    -t torghut-server .      API, health, metrics, /ws, /hubs, /socket.io
#   docker build --target web       -t torghut-web .         the Next.js UI (standalone server)
#   docker build --target simulator -t torghut-simulator .   simulated Alpaca + Yahoo (no keys needed)
# Each final stage holds compiled JavaScript and production dependencies only, runs as the
# unprivileged `node` user and has a HEALTHCHECK. docker-compose.yml builds all three.

ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
LABEL org.opencontainers.image.vendor="Torghut" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="https://github.com/torghut/torghut" \
      org.opencontainers.image.documentation="https://github.com/torghut/torghut#docker"

# The manifests alone, so that the dependency layers below are rebuilt only when one changes.
FROM base AS manifests
COPY package.json package-lock.json .npmrc ./
COPY apps/server/package.json apps/server/
COPY apps/market-sim/package.json apps/market-sim/
COPY apps/web/package.json apps/web/
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/indicators/package.json packages/indicators/
COPY packages/testing/package.json packages/testing/
COPY bench/package.json bench/
COPY e2e/package.json e2e/

# Build: every dependency (compilers included), then `npm run build` (esbuild bundles, next build).
# --include=dev because NODE_ENV=production would leave the compilers out. --ignore-scripts: nothing
# here needs an install script; it also skips fetching the `node` devDependency, which only matters
# on machines whose own Node is too old.
FROM manifests AS build
RUN npm ci --include=dev --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json turbo.json ./
COPY scripts ./scripts
COPY packages ./packages
COPY apps ./apps
RUN npm run build

# Production dependencies of one workspace each: the bundles import these and nothing else.
FROM manifests AS server-deps
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace @torghut/server

FROM manifests AS simulator-deps
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace @torghut/market-sim

FROM base AS server
LABEL org.opencontainers.image.title="torghut-server" \
      org.opencontainers.image.description="Torghut market-data server: Alpaca stream with Yahoo fallback, validation, PostgreSQL storage, real-time hub, health and metrics"
COPY --from=server-deps /app ./
COPY --from=build /app/apps/server/dist ./apps/server/dist
COPY drizzle ./drizzle
ENV PORT=5002 DATA_DIR=/home/node/data
USER node
# Without DATABASE_URL the server keeps an embedded PGlite here (owned by `node`; mount a volume
# to keep it across containers). Production runs on PostgreSQL.
RUN mkdir -p /home/node/data
EXPOSE 5002
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/server/dist/main.js"]

FROM base AS web
LABEL org.opencontainers.image.title="torghut-web" \
      org.opencontainers.image.description="Torghut UI: watchlist, TA visuals and ops console (Next.js standalone server)"
# next build's standalone output: server.js, the node_modules it traced, the static files, and our
# launcher server.mjs (Next behind an http.Server that tells the app each request's TCP peer).
COPY --from=build /app/apps/web/.next/standalone ./
# HOSTNAME: the standalone server binds it, and Docker sets it to the container's id.
ENV PORT=3000 HOSTNAME=0.0.0.0 TORGHUT_API_URL=http://server:5002
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/web/server.mjs"]

FROM base AS simulator
LABEL org.opencontainers.image.title="torghut-simulator" \
      org.opencontainers.image.description="Simulated Alpaca (stream and REST) and Yahoo (chart, quote) with fault controls, for running Torghut without keys"
COPY --from=simulator-deps /app ./
COPY --from=build /app/apps/market-sim/dist ./apps/market-sim/dist
ENV SIM_HOST=0.0.0.0 SIM_PORT=5010
USER node
EXPOSE 5010
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.SIM_PORT}/control/counters`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/market-sim/dist/cli.js"]
