// A V8 CPU profile (node:inspector's Profiler) taken around one bench phase, summarised as the
// functions with the most self time. Samples count work, which a loaded box changes little.
import { Session } from "node:inspector/promises";

interface ProfileNode {
  id: number;
  hitCount?: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface SelfTime {
  fn: string;
  percent: number;
  ms: number;
}

export async function startProfile(): Promise<() => Promise<SelfTime[]>> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  return async () => {
    const { profile } = (await session.post("Profiler.stop")) as { profile: Profile };
    session.disconnect();
    return topSelfTime(profile, 25);
  };
}

/** Self time per function (name, file, line), largest first; idle time is left out of the percentages. */
export function topSelfTime(profile: Profile, count: number): SelfTime[] {
  const hits = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.hitCount === undefined || node.hitCount === 0) continue;
    if (functionName === "(idle)") {
      idle += node.hitCount;
      continue;
    }
    const file = url.replace(/^.*\/(node_modules|apps|bench)\//, "$1/").replace(/^node:/, "");
    const key = `${functionName || "(anonymous)"} ${file}${file ? `:${lineNumber + 1}` : ""}`;
    hits.set(key, (hits.get(key) ?? 0) + node.hitCount);
    total += node.hitCount;
  }
  const samples = profile.samples?.length ?? 0;
  const msPerHit = samples > 0 ? (profile.endTime - profile.startTime) / 1000 / samples : 0;
  const top = [...hits.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, n]) => ({ fn, percent: (n / total) * 100, ms: n * msPerHit }));
  return [
    { fn: "(idle: share of all samples)", percent: (idle / (idle + total)) * 100, ms: idle * msPerHit },
    ...top,
  ];
}
