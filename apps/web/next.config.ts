import type { NextConfig } from "next";

// Everything that depends on the environment is read at request time (src/config.ts), so one build
// serves any TORGHUT_API_URL: the API is proxied by route handlers, not by build-time rewrites.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  devIndicators: false,
};

export default nextConfig;
