#!/usr/bin/env node
// `npm run screenshots`: builds the web app when needed, then writes docs/screenshots/*.png.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureWebBuild } from "../scripts/web-build.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
ensureWebBuild({ log: "[screenshots]", env });
const dataDir = mkdtempSync(join(tmpdir(), "torghut-screenshots-"));
const run = spawnSync("npx", ["playwright", "test", "--config", "screenshots.config.ts"], {
  cwd: here,
  stdio: "inherit",
  env: { ...env, E2E_DATA_DIR: dataDir },
});
rmSync(dataDir, { recursive: true, force: true });
process.exit(run.status ?? 1);
