import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

// Everything that depends on the environment is read at request time (src/config.ts), so one build
// serves any TORGHUT_API_URL: the API is proxied by route handlers, not by build-time rewrites.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
  // `next build` also writes .next/standalone: server.js with only the node_modules it traced, which
  // is what the web image runs (`node apps/web/server.js`, no npm install, no next CLI).
  output: "standalone",
  // The monorepo root, so that the trace finds the hoisted node_modules and workspace packages.
  // Shared zod contracts ship as TypeScript source (packages/contracts): compiled with the app.
  transpilePackages: ["@torghut/contracts"],
  outputFileTracingRoot: fileURLToPath(new URL("../..", import.meta.url)),
};

export default nextConfig;
