# One image for every Torghut process; the command picks the app (see docker-compose.yml).
FROM node:24-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1
COPY package.json package-lock.json ./
COPY apps ./apps
COPY packages ./packages
COPY bench/package.json ./bench/package.json
COPY drizzle ./drizzle
COPY scripts ./scripts
COPY tsconfig.base.json turbo.json ./
RUN npm ci --no-audit --no-fund
EXPOSE 5002
CMD ["node", "--import", "tsx", "apps/server/src/main.ts"]
