import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

/**
 * What a command must print: `# expect: text` (exactly), `# expect~ regex`; `# eventually: …` and
 * `# eventually~ …` are the same, for a state that takes a moment to arrive (the replay retries,
 * as the person on call would, for up to 30 s).
 */
export type Expectation = ({ literal: string } | { pattern: RegExp }) & { eventually: boolean };

export interface Step {
  /** The `<!-- replay-setup: name -->` in force: the state the command runs in. */
  setup: string;
  language: "bash" | "sql";
  /** One line of a ```bash block, or a whole ```sql block. */
  command: string;
  expect?: Expectation;
  line: number;
}

const EXPECT = /^# (expect|eventually)(:|~) (.*)$/;

/**
 * Every command of the runbook's ```bash blocks (each line that is not a comment) with its setup
 * and expectation, and every ```sql block. A `curl` line must say what it prints.
 */
export function readRunbook(path: string): Step[] {
  const lines = readFileSync(path, "utf8").split("\n");
  const steps: Step[] = [];
  let setup = "normal";
  let block: { language: Step["language"]; start: number; body: string[] } | null = null;
  lines.forEach((text, i) => {
    const marker = /<!-- replay-setup: ([\w-]+) -->/.exec(text);
    if (marker) setup = marker[1]!;
    if (text.startsWith("```")) {
      if (block?.language === "sql")
        steps.push({ setup, language: "sql", command: block.body.join("\n"), line: block.start });
      const language = text.trim().slice(3);
      block =
        block === null && (language === "bash" || language === "sql")
          ? { language, start: i + 2, body: [] }
          : null;
      return;
    }
    if (block === null) return;
    if (block.language === "sql") {
      block.body.push(text);
      return;
    }
    if (text.trim() === "" || text.startsWith("#")) return;
    const next = EXPECT.exec(lines[i + 1] ?? "");
    const expect: Expectation | undefined =
      next === null
        ? undefined
        : {
            ...(next[2] === ":" ? { literal: next[3]! } : { pattern: new RegExp(next[3]!) }),
            eventually: next[1] === "eventually",
          };
    if (text.startsWith("curl ")) assert.ok(expect, `${path}:${i + 1}: curl without an '# expect' line`);
    steps.push({ setup, language: "bash", command: text, line: i + 1, ...(expect ? { expect } : {}) });
  });
  return steps;
}
