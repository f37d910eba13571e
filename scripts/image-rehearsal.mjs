#!/usr/bin/env node
// Rehearses the Dockerfile without a Docker engine: runs the stages a target needs on this machine,
// each in its own folder standing for the image's root, and reports the size of what the final
// stage adds on top of the base image. The base image's own files are not there (nothing is
// pulled), so what runs is Node from PATH. Supported: ARG, FROM (image or stage), WORKDIR, ENV,
// COPY [--from] [--chown], RUN `npm …` and `mkdir -p …`; the rest (LABEL, USER, EXPOSE, HEALTHCHECK,
// CMD) is recorded, not executed. Anything else fails the rehearsal rather than being skipped.
//   usage: node scripts/image-rehearsal.mjs [--out DIR] server web simulator   (stages shared)
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, matchesGlob, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Instructions of each stage, continuation lines joined, comments dropped. */
export function parseDockerfile(text) {
  const logical = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const args = {};
  const stages = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), rest: rest.join(" ") };
    if (instruction.keyword === "FROM") {
      const [image, as, name] = rest;
      stages.push({ image, name: as?.toUpperCase() === "AS" ? name : String(stages.length), steps: [] });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      const [name, value = ""] = instruction.rest.split("=");
      args[name] = value;
    } else stages.at(-1)?.steps.push(instruction);
  }
  for (const stage of stages)
    stage.image = stage.image.replace(/\$\{(\w+)\}/g, (_, name) => args[name] ?? "");
  return { args, stages };
}

/** .dockerignore patterns (with ! exceptions), as a predicate on paths relative to the context. */
function ignoreRules(context) {
  const file = join(context, ".dockerignore");
  const rules = existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !l.startsWith("#"))
    : [];
  return (path) => {
    let ignored = false;
    for (const rule of rules) {
      const negated = rule.startsWith("!");
      const pattern = negated ? rule.slice(1) : rule;
      // A pattern that names a folder excludes everything under it too.
      if (matchesGlob(path, pattern) || matchesGlob(path, `${pattern}/**`)) ignored = !negated;
    }
    return ignored;
  };
}

function duBytes(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + duBytes(join(path, name)), 0);
}

/**
 * Runs each of `targets` and the stages they build on or copy from (each stage once); returns
 * each target's { dir, workdir, env, records }.
 */
export function rehearse(targets, outdir = mkdtempSync(join(tmpdir(), "torghut-image-"))) {
  const { stages } = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
  const ignored = ignoreRules(root);
  const built = new Map();

  const run = (name) => {
    if (built.has(name)) return built.get(name);
    const stage = stages.find((s) => s.name === name);
    if (!stage) throw new Error(`no stage ${name} in the Dockerfile`);
    const dir = join(outdir, name);
    const state = { dir, workdir: "/", env: {}, records: [] };
    if (stages.some((s) => s.name === stage.image)) {
      const parent = run(stage.image);
      cpSync(parent.dir, dir, { recursive: true, verbatimSymlinks: true });
      Object.assign(state, { workdir: parent.workdir, env: { ...parent.env } });
    } else mkdirSync(dir, { recursive: true });
    const inImage = (path) => join(dir, path.startsWith("/") ? path : join(state.workdir, path));
    for (const { keyword, rest } of stage.steps) {
      if (keyword === "WORKDIR") {
        state.workdir = rest.startsWith("/") ? rest : join(state.workdir, rest);
        mkdirSync(inImage(state.workdir), { recursive: true });
      } else if (keyword === "ENV") {
        for (const [, key, value] of rest.matchAll(/(\w+)=("[^"]*"|\S+)/g))
          state.env[key] = value.replace(/^"|"$/g, "");
      } else if (keyword === "COPY") copy(rest, state, inImage, run, ignored);
      else if (keyword === "RUN") runStep(rest, state, inImage);
      else if (["LABEL", "USER", "EXPOSE", "HEALTHCHECK", "CMD", "ARG"].includes(keyword))
        state.records.push(`${keyword} ${rest}`);
      else throw new Error(`the rehearsal cannot run ${keyword} (stage ${name})`);
    }
    built.set(name, state);
    return state;
  };
  return new Map(targets.map((target) => [target, run(target)]));
}

function copy(rest, state, inImage, run, ignored) {
  const words = rest.split(/\s+/);
  const from = words.find((w) => w.startsWith("--from="))?.slice("--from=".length);
  const paths = words.filter((w) => !w.startsWith("--"));
  const dest = paths.pop();
  const sourceRoot = from === undefined ? root : run(from).dir;
  for (const source of paths) {
    const src = from === undefined ? join(root, source) : join(sourceRoot, source);
    if (!existsSync(src)) throw new Error(`COPY ${source}: not found`);
    const target =
      dest.endsWith("/") || paths.length > 1
        ? join(inImage(dest), statSync(src).isDirectory() ? "" : source.split("/").pop())
        : inImage(dest);
    cpSync(src, target, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (path) => from !== undefined || !ignored(relative(root, path)),
    });
  }
}

function runStep(command, state, inImage) {
  const mkdir = /^mkdir -p (\S+)$/.exec(command);
  if (mkdir) {
    mkdirSync(inImage(mkdir[1]), { recursive: true });
    return;
  }
  if (!command.startsWith("npm "))
    throw new Error(`the rehearsal runs only npm and mkdir -p: RUN ${command}`);
  console.log(`[rehearsal] RUN ${command}`);
  const result = spawnSync("sh", ["-c", command], {
    cwd: inImage(state.workdir),
    env: { ...process.env, ...state.env, CI: "true" },
    stdio: "inherit",
  });
  if (result.status !== 0) throw new Error(`RUN ${command} failed (${result.status})`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const outIndex = argv.indexOf("--out");
  const out = outIndex >= 0 ? resolve(argv.splice(outIndex, 2)[1]) : undefined;
  if (argv.length === 0)
    throw new Error("usage: node scripts/image-rehearsal.mjs [--out DIR] server web simulator");
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  for (const [target, result] of rehearse(argv, out)) {
    const app = join(result.dir, "app");
    console.log(
      `[rehearsal] ${target}: ${mb(duBytes(result.dir))} over the base image, of which node_modules ${mb(duBytes(join(app, "node_modules")))}; its /app is ${app}`,
    );
    for (const record of result.records) console.log(`[rehearsal]   ${record}`);
  }
}
