import { defineConfig } from "@playwright/test";
import base from "./playwright.config";

/**
 * `npm run screenshots`: the same stack as the e2e suite (simulator, server, web app), one spec that
 * writes docs/screenshots/*.png — every page in the light and dark themes, and in failover.
 */
export default defineConfig({
  ...base,
  testDir: "screenshots",
  timeout: 300_000,
  use: { ...base.use, viewport: { width: 1440, height: 900 }, screenshot: "off", trace: "off" },
  // The sign-in variants of the web app are not needed for the pictures.
  webServer: (Array.isArray(base.webServer) ? base.webServer : []).filter(
    (server) => !/OIDC|proxy|visuals off|identity/.test(server.name ?? ""),
  ),
});
