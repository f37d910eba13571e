import { relative } from "node:path";
import { fileURLToPath } from "node:url";

/** A trade's path: the server files it crosses in order, and the calls (stack frames). */
export interface TradePath {
  files: string[];
  calls: number;
}

/** One server frame of a V8 stack: its file (relative to the server's src/) and its function. */
export interface ServerFrame {
  file: string;
  fn: string;
}

const FRAME = /^at (?:(.+?) \()?(.+?):\d+:\d+\)?$/;

/** The file and function of one V8 stack frame line, or null (native frames, the `Error` line). */
function parseFrame(line: string): { file: string; fn: string } | null {
  const match = FRAME.exec(line.trim());
  const file = match?.[2];
  if (file === undefined) return null;
  return { file: file.startsWith("file://") ? fileURLToPath(file) : file, fn: match?.[1] ?? "" };
}

/** The server's frames of a stack, outermost first; frames outside `serverSrc` (ws, node, tests) are left out. */
export function serverFrames(stack: string, serverSrc: string): ServerFrame[] {
  return stack
    .split("\n")
    .slice(1)
    .map(parseFrame)
    .filter((frame) => frame !== null && frame.file.startsWith(serverSrc))
    .map((frame) => ({ file: relative(serverSrc, frame!.file).split("\\").join("/"), fn: frame!.fn }))
    .reverse();
}

/** The files of a run of frames, each once in the order first crossed, and the calls (frames). */
export function pathOf(frames: readonly ServerFrame[]): TradePath {
  const files: string[] = [];
  for (const { file } of frames) if (!files.includes(file)) files.push(file);
  return { files, calls: frames.length };
}

/**
 * The path from the outermost server frame (the socket's message handler) to the outermost frame
 * of the hub (its entry), both included; what the hub does inside is the next half's business.
 */
export function toHubEntry(frames: readonly ServerFrame[]): TradePath {
  const entry = frames.findIndex((frame) => frame.file === "realtime/hub.ts");
  if (entry < 0) throw new Error("the frames hold none of realtime/hub.ts");
  return pathOf(frames.slice(0, entry + 1));
}

/**
 * The calls a side branch makes beyond what it shares with the main line (frames with the same file
 * and function, from the outermost in): what is called and returned before the main line goes on.
 */
export function branchOf(branch: readonly ServerFrame[], main: readonly ServerFrame[]): TradePath {
  let shared = 0;
  while (
    shared < branch.length &&
    shared < main.length &&
    branch[shared]!.file === main[shared]!.file &&
    branch[shared]!.fn === main[shared]!.fn
  )
    shared += 1;
  return pathOf(branch.slice(shared));
}

/**
 * A path as docs/architecture.md states it: the line that starts with `label` and reads
 * `label … : N files, M calls: `a` → `b` …`.
 */
export function parseStatedPath(doc: string, label: string): TradePath {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`^${escaped}.*?: (\\d+) files, (\\d+) calls: (.+)$`, "m").exec(doc);
  if (match === null) throw new Error(`docs/architecture.md states no path (\`${label} …\`)`);
  const files = [...(match[3] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
  if (files.length !== Number(match[1])) throw new Error(`${label}: the stated file count and list disagree`);
  return { files, calls: Number(match[2]) };
}
