// Detection time per fault shape (issue #14): the chaos suite's stack — the real server as a process,
// the simulator, the TCP fault proxy — with each shape injected `cycles` times and the public API
// sampled every 50 ms.
import { DETECTION_BUDGET_MS, startChaosStack } from "../../apps/server/test/chaos/chaos-stack";
import { runScenario } from "../../apps/server/test/chaos/runner";
import { SCENARIOS } from "../../apps/server/test/chaos/scenarios";

export const SHAPES = [
  "silent but connected",
  "black-holed route (no data, no pongs)",
  "half-open TCP (no FIN)",
  "connection reset",
  "HTTP 404 on the upgrade",
  "both down: Yahoo hangs",
  "halted symbol (TSLA)",
];

export interface ShapeFigures {
  name: string;
  detection: number[];
  firstFallback: number[];
  violations: number;
}

export async function measureShapes(cycles: number): Promise<{ budgetMs: number; shapes: ShapeFigures[] }> {
  const stack = await startChaosStack();
  const shapes: ShapeFigures[] = [];
  try {
    for (const name of SHAPES) {
      const scenario = SCENARIOS.find((s) => s.name === name)!;
      const figures: ShapeFigures = { name, detection: [], firstFallback: [], violations: 0 };
      for (let c = 0; c < cycles; c++) {
        const result = await runScenario(stack, scenario, { sampleMs: 50, holdMs: 500 });
        if (result.detectionMs !== null) figures.detection.push(result.detectionMs);
        if (result.firstFallbackMs !== null) figures.firstFallback.push(result.firstFallbackMs);
        figures.violations += result.violations.length;
      }
      shapes.push(figures);
    }
  } finally {
    await stack.close();
  }
  return { budgetMs: DETECTION_BUDGET_MS, shapes };
}
