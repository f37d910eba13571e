import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/**
 * The relative-import graph of a TypeScript tree, type-only imports included (a type is a dependency
 * of the design even when erased at run time). Tests are left out: they may reach anywhere.
 */
export type ImportGraph = Map<string, Set<string>>;

const IMPORT = /^\s*(?:import|export)\s+[^;]*?from\s+["']([^"']+)["']/gm;
const DYNAMIC_IMPORT = /import\(\s*["']([^"']+)["']\s*\)/g;

function sourceFiles(dir: string, withTests = false): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && !entry.name.startsWith("."))
        found.push(...sourceFiles(path, withTests));
    } else if (
      /\.(ts|tsx|mts)$/.test(entry.name) &&
      (withTests || !/\.(test|spec)\.tsx?$/.test(entry.name)) &&
      !entry.name.endsWith(".d.ts")
    ) {
      found.push(path);
    }
  }
  return found;
}

function resolveRelative(from: string, specifier: string): string | null {
  const base = resolve(dirname(from), specifier.replace(/\.js$/, ""));
  for (const candidate of [`${base}.ts`, `${base}.tsx`, `${base}.mts`, join(base, "index.ts"), base]) {
    if (existsSync(candidate) && /\.(ts|tsx|mts)$/.test(candidate)) return candidate;
  }
  return null;
}

/** Every import specifier of a file, relative or not. */
export function importSpecifiers(text: string): string[] {
  return [...text.matchAll(IMPORT), ...text.matchAll(DYNAMIC_IMPORT)].map((match) => match[1] ?? "");
}

/** Keys and values are paths relative to `root`, with `/` separators. */
export function buildImportGraph(root: string): ImportGraph {
  const graph: ImportGraph = new Map();
  const name = (file: string): string => relative(root, file).split("\\").join("/");
  for (const file of sourceFiles(root)) {
    const deps = new Set<string>();
    for (const specifier of importSpecifiers(readFileSync(file, "utf8"))) {
      if (!specifier.startsWith(".")) continue;
      const target = resolveRelative(file, specifier);
      if (target) deps.add(name(target));
    }
    graph.set(name(file), deps);
  }
  return graph;
}

/** Each cycle once, as the path that closes it (`a -> b -> a`). */
export function findCycles(graph: ImportGraph): string[] {
  const cycles: string[] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, "open");
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === "open") cycles.push([...stack.slice(stack.indexOf(dep)), dep].join(" -> "));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return cycles;
}

/** A rule `from->to` forbids any file under folder `from` importing a file under folder `to`. */
export function findOutwardImports(graph: ImportGraph, rules: readonly string[]): string[] {
  const found: string[] = [];
  for (const rule of rules) {
    const [from, to] = rule.split("->");
    for (const [file, deps] of graph) {
      if (!file.startsWith(`${from}/`)) continue;
      for (const dep of deps) if (dep.startsWith(`${to}/`)) found.push(`${file} imports ${dep} (${rule})`);
    }
  }
  return found;
}

const PINO_LOGGER_IMPORT = /^\s*import\s+(?:type\s+)?[^;]*?\bLogger\b[^;]*?from\s+["']pino["']/m;
const PINO_LOGGER_REFERENCE = /\bpino\.Logger\b/;

/**
 * Files (tests included) that take the `Logger` type from pino instead of from `home` (the server's
 * logger module), which alone may: one logger type, so a change to it is made in one place.
 */
export function findForeignLoggerTypes(root: string, home: string): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(root, true)) {
    const name = relative(root, file).split("\\").join("/");
    if (name === home) continue;
    const text = readFileSync(file, "utf8");
    if (PINO_LOGGER_IMPORT.test(text) || PINO_LOGGER_REFERENCE.test(text)) found.push(name);
  }
  return found.sort();
}
