#!/usr/bin/env node
// `npm run build` for the Node apps (server, simulator): each entry point becomes one ES module in
// dist/ that plain `node` runs. The workspace packages (@torghut/*) are TypeScript source
// (`exports` → ./src/index.ts), so they are compiled into the bundle; every other package stays an
// import from node_modules (the image installs them with `npm ci --omit=dev`), so nothing loads a
// `.ts` file or needs tsx at run time.
// Usage: node scripts/bundle.mjs server|market-sim   (each app's `npm run build`; `npm start` too)
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Each Node app's entry points ({ outName: source }). The server's ingest thread is its own entry
 * because the server starts it from the file next to itself (dist/worker.js).
 */
export const NODE_APPS = {
  server: { main: "src/main.ts", worker: "src/ingest-thread/worker.ts", token: "src/cli/token.ts" },
  "market-sim": { cli: "src/cli.ts" },
};

/** Bare imports other than our own workspace packages are resolved by node at run time. */
const keepThirdPartyExternal = {
  name: "third-party-external",
  setup(builder) {
    builder.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith("@torghut/") ? undefined : { path: args.path, external: true },
    );
  },
};

/**
 * Bundles `entries` ({ outName: sourcePath }) from `cwd` into `outdir` (default dist/, emptied
 * first). Entry points keep their own names (dist/main.js, dist/worker.js): the server finds its
 * ingest-thread entry next to the module that starts it.
 * @param {{ cwd?: string, outdir?: string, entries: Record<string, string> }} options
 */
export async function bundleApp({ cwd = process.cwd(), outdir = "dist", entries }) {
  const out = resolve(cwd, outdir);
  rmSync(out, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: cwd,
    entryPoints: Object.entries(entries).map(([name, path]) => ({ in: path, out: name })),
    outdir: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    sourcemap: true,
    // Stack traces name our functions; the output is read by people on call, not shipped to browsers.
    minify: false,
    logLevel: "warning",
    plugins: [keepThirdPartyExternal],
  });
  if (result.errors.length > 0) throw new Error(`bundle failed: ${result.errors.length} errors`);
  return out;
}

/** Bundles one of NODE_APPS into apps/<name>/dist. */
export function bundleNodeApp(name) {
  const entries = NODE_APPS[name];
  if (entries === undefined)
    throw new Error(`unknown app ${name}: one of ${Object.keys(NODE_APPS).join(", ")}`);
  return bundleApp({ cwd: join(root, "apps", name), entries });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const out = await bundleNodeApp(process.argv[2]);
  console.log(`bundled ${process.argv[2]} into ${out} in ${Date.now() - started} ms`);
}
