// The web app's production build, rebuilt only when it is missing or older than what it is built
// from (src/, package.json, next.config.ts). Shared by `npm start` (scripts/start.mjs), the e2e
// wrapper (e2e/run-e2e.mjs) and `npm run bench -- ui` (bench/ui.ts).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "apps", "web");
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");

/** The newest modification time under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** The newest of the build's inputs: a change to any of them makes the build stale. */
function newestInput() {
  const files = ["package.json", "next.config.ts"].map((name) => join(web, name)).filter(existsSync);
  return Math.max(newestMtime(join(web, "src")), ...files.map((file) => statSync(file).mtimeMs));
}

/**
 * Runs `next build` in apps/web when the build is missing or stale; throws when the build fails.
 * `log` prefixes the one line said before building; `env` is the build's environment
 * (NEXT_TELEMETRY_DISABLED is always set).
 * @param {{ log?: string, env?: NodeJS.ProcessEnv }} [options]
 * @returns {boolean} whether it built
 */
export function ensureWebBuild({ log = "[web]", env = process.env } = {}) {
  const buildId = join(web, ".next", "BUILD_ID");
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestInput()) return false;
  console.log(`${log} building the web app (next build, about a minute the first time)`);
  const build = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: web,
    env: { ...env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error(`next build failed (${build.signal ?? build.status})`);
  return true;
}
