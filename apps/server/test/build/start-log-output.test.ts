import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const LOG_OUTPUT = fileURLToPath(new URL("../../../../scripts/log-output.mjs", import.meta.url));
const LINE = {
  level: 40,
  time: 1_700_000_000_000,
  service: "torghut",
  component: "router",
  msg: "failing over",
};

/**
 * What `npm start` prints for a child that writes one pino line and one plain line, as
 * scripts/start.mjs wires it (attachLogOutput), with or without a terminal.
 */
function startOutput(terminal: boolean): string {
  const driver = `
    import { spawn } from "node:child_process";
    import { attachLogOutput } from ${JSON.stringify(LOG_OUTPUT)};
    const child = spawn(process.execPath, ["-e", ${JSON.stringify(
      `console.log(${JSON.stringify(JSON.stringify(LINE))}); console.log("plain text")`,
    )}], { stdio: ["ignore", "pipe", "inherit"] });
    attachLogOutput(child, { terminal: ${terminal} });
  `;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", driver], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test("npm start passes the JSON log lines through unchanged when its output is not a terminal", () => {
  assert.equal(startOutput(false), `${JSON.stringify(LINE)}\nplain text\n`);
});

test("npm start prints readable lines (pino-pretty) in a terminal; other lines as they are", () => {
  const lines = startOutput(true).split("\n");
  // eslint-disable-next-line no-control-regex
  const plain = lines.map((line) => line.replace(/\u001b\[[0-9;]*m/g, ""));
  assert.match(plain[0]!, /^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: \[router\] failing over$/);
  assert.equal(plain[1], "plain text");
  assert.ok(!lines.some((line) => line.startsWith("{")), "no raw JSON in a terminal");
});
