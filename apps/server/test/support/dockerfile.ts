import { readFileSync } from "node:fs";
import { DockerfileParser } from "dockerfile-ast";
import { REPO } from "./compose-file";

export interface DockerStage {
  name: string;
  /** The image or the stage it starts from. */
  from: string;
  instructions: { keyword: string; args: string; line: number }[];
}

export const dockerfileText = (): string => readFileSync(`${REPO}Dockerfile`, "utf8");

/** The Dockerfile's stages in order, each with its own instructions (FROM excluded). */
export function dockerStages(text = dockerfileText()): DockerStage[] {
  const dockerfile = DockerfileParser.parse(text);
  const lines = text.split("\n");
  const stages: DockerStage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const line = instruction.getRange().start.line + 1;
    if (keyword === "FROM") {
      const [from, , name] = instruction.getArguments().map((a) => a.getValue());
      stages.push({ name: name ?? String(stages.length), from: from!, instructions: [] });
    } else {
      // The source text, flags included (--from, --interval), continuation lines joined.
      const { start, end } = instruction.getRange();
      const source = lines
        .slice(start.line, end.line + 1)
        .join("\n")
        .slice(start.character);
      const args = source
        .slice(keyword.length)
        .replace(/\\\n\s*/g, " ")
        .trim();
      stages.at(-1)?.instructions.push({ keyword, args, line });
    }
  }
  return stages;
}

/** A stage with everything it inherits from the stages it is built FROM (base first). */
export function lineage(stages: DockerStage[], name: string): DockerStage[] {
  const stage = stages.find((s) => s.name === name);
  if (stage === undefined) return [];
  return [...lineage(stages, stage.from), stage];
}
