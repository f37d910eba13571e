import { relative } from "node:path";
import { fileURLToPath } from "node:url";

/** A trade's synchronous path: the server files it crosses in order, and the calls (stack frames). */
export interface TradePath {
  files: string[];
  calls: number;
}

const FRAME_FILE = /\((.+?):\d+:\d+\)$|at (.+?):\d+:\d+$/;

/** The file of one V8 stack frame line, or null (native frames, `new Error` itself). */
function frameFile(line: string): string | null {
  const match = FRAME_FILE.exec(line.trim());
  const file = match?.[1] ?? match?.[2];
  if (file === undefined) return null;
  return file.startsWith("file://") ? fileURLToPath(file) : file;
}

/**
 * The path from the outermost server frame (the socket's message handler) to the outermost frame
 * of the hub (its entry), both included; frames outside `serverSrc` (ws, node) are not counted and
 * what the hub does inside is its own business.
 */
export function measuredPath(stack: string, serverSrc: string): TradePath {
  const frames = stack
    .split("\n")
    .slice(1)
    .map(frameFile)
    .filter((file): file is string => file !== null && file.startsWith(serverSrc))
    .map((file) => relative(serverSrc, file).split("\\").join("/"))
    .reverse();
  const entry = frames.indexOf("realtime/hub.ts");
  if (entry < 0) throw new Error("the stack holds no frame of realtime/hub.ts");
  const path = frames.slice(0, entry + 1);
  const files: string[] = [];
  for (const file of path) if (!files.includes(file)) files.push(file);
  return { files, calls: path.length };
}

const STATED = /^Socket to the hub's entry[^:]*: (\d+) files, (\d+) calls: (.+)$/m;

/** The path as docs/architecture.md states it, in the line `Socket to the hub's entry … : N files, M calls: `a` → `b` …`. */
export function parseStatedPath(doc: string): TradePath {
  const match = STATED.exec(doc);
  if (match === null) throw new Error("docs/architecture.md states no path (`Socket to the hub's entry …`)");
  const files = [...(match[3] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
  if (files.length !== Number(match[1])) throw new Error("the stated file count and list disagree");
  return { files, calls: Number(match[2]) };
}
