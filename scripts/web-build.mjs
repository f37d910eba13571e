// The web app's production build, rebuilt only when it is missing or older than what it is built
// from (src/, package.json, next.config.ts). Shared by `npm start` (scripts/start.mjs), the e2e
// wrapper (e2e/run-e2e.mjs) and `npm run bench -- ui` (bench/ui.ts).
// `node scripts/web-build.mjs assets` (the web app's `npm run build` after `next build`) completes
// the standalone server with the static files it serves; `… ensure` builds when stale (its prestart).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "apps", "web");
const nextBin = join(root, "node_modules", "next", "dist", "bin", "next");
const standaloneWeb = join(web, ".next", "standalone", "apps", "web");

/**
 * The production web server (`output: "standalone"`): apps/web/server.mjs (Next behind an
 * http.Server that tells the app each request's TCP peer) copied beside the standalone build's
 * server.js; `node <this> [--port N] [--hostname H]` (or PORT and HOSTNAME). It needs no next CLI and
 * no npm install, only the files `next build` traced into .next/standalone.
 */
export const WEB_SERVER = join(standaloneWeb, "server.mjs");

/** Puts the launcher beside the standalone build (cheap; done on every ensure so edits to it apply). */
function copyLauncher() {
  cpSync(join(web, "server.mjs"), WEB_SERVER);
}

/**
 * next build leaves the browser assets (.next/static) and public/ out of .next/standalone, for a
 * CDN to serve; we serve them from the same server, so they are copied in beside server.js.
 */
export function copyStandaloneAssets() {
  const staticDir = join(standaloneWeb, ".next", "static");
  rmSync(staticDir, { recursive: true, force: true });
  cpSync(join(web, ".next", "static"), staticDir, { recursive: true });
  if (existsSync(join(web, "public")))
    cpSync(join(web, "public"), join(standaloneWeb, "public"), { recursive: true });
  copyLauncher();
}

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
  const fresh = existsSync(buildId) && statSync(buildId).mtimeMs >= newestInput();
  if (fresh && existsSync(join(standaloneWeb, "server.js"))) {
    // A build made by a bare `next build` lacks the copied assets: add them, nothing to rebuild.
    if (!existsSync(join(standaloneWeb, ".next", "static"))) copyStandaloneAssets();
    else copyLauncher();
    return false;
  }
  console.log(`${log} building the web app (next build, about a minute the first time)`);
  const build = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: web,
    env: { ...env, NEXT_TELEMETRY_DISABLED: "1" },
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error(`next build failed (${build.signal ?? build.status})`);
  copyStandaloneAssets();
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === "assets") copyStandaloneAssets();
  else if (process.argv[2] === "ensure") ensureWebBuild();
  else throw new Error("usage: node scripts/web-build.mjs assets|ensure");
}
