import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { validate } from "dockerfile-utils";
import { REPO } from "../support/compose-file";
import { dockerfileText, dockerStages, lineage } from "../support/dockerfile";

// No Docker engine here (CI has none): the image build itself cannot run, so the Dockerfile is held
// to what can be checked without one. scripts/image-rehearsal.mjs runs its stages on the machine.

const TARGETS = { server: 5002, web: 3000, simulator: 5010 } as const;
const stages = dockerStages();

test("the Dockerfile parses with no problems (dockerfile-utils)", () => {
  const problems = validate(dockerfileText()).map(
    (d) => `line ${d.range.start.line + 1}: ${JSON.stringify(d.message)}`,
  );
  assert.deepEqual(problems, []);
});

for (const [target, port] of Object.entries(TARGETS)) {
  test(`target ${target}: compiled output on production dependencies, non-root, healthchecked, labelled`, () => {
    const own = stages.find((s) => s.name === target);
    assert.ok(own, `no stage named ${target}`);
    const all = lineage(stages, target).flatMap((s) => s.instructions);
    const last = (keyword: string) => all.filter((i) => i.keyword === keyword).at(-1)?.args ?? "";

    const user = last("USER");
    assert.ok(user !== "" && !/^(root|0)(:|$)/.test(user), `runs as ${user || "root"}`);
    assert.match(last("HEALTHCHECK"), /^--interval=\S+ --timeout=\S+ .*CMD \["node"/);
    assert.match(last("HEALTHCHECK"), target === "simulator" ? /\/control\/counters/ : /\/healthz/);
    assert.match(
      all
        .filter((i) => i.keyword === "LABEL")
        .map((i) => i.args)
        .join(" "),
      /org\.opencontainers\.image\.title=/,
    );
    assert.match(last("EXPOSE"), new RegExp(`^${port}$`));
    const cmd = JSON.parse(last("CMD")) as string[];
    assert.equal(cmd[0], "node");
    // The web image runs the launcher that web-build.mjs puts beside the standalone build's server.js.
    assert.match(cmd[1]!, /\/dist\/[\w-]+\.js$|^apps\/web\/server\.mjs$/, "runs compiled JavaScript");
    assert.ok(!cmd.some((arg) => /tsx|\.ts$/.test(arg)), `no TypeScript at run time: ${cmd.join(" ")}`);

    // What lands in the final image: only from a production-dependency stage or build outputs.
    for (const copy of own.instructions.filter((i) => i.keyword === "COPY")) {
      const from = /--from=(\S+)/.exec(copy.args)?.[1];
      if (from === undefined) {
        const source = copy.args.split(/\s+/).filter((w) => !w.startsWith("--"))[0]!;
        assert.ok(existsSync(`${REPO}${source}`), `COPY ${source}: not in the repository`);
        continue;
      }
      if (from === "build")
        assert.match(copy.args, /\/(dist|\.next\/standalone) /, `copies only build output: ${copy.args}`);
      else {
        const deps = stages.find((s) => s.name === from)!;
        const install = deps.instructions.find((i) => i.keyword === "RUN")?.args ?? "";
        assert.match(install, /^npm ci .*--omit=dev/, `${from} installs production dependencies only`);
      }
    }
  });
}

test("the build stage installs the compilers although NODE_ENV=production, and runs npm run build", () => {
  const build = stages.find((s) => s.name === "build")!;
  const runs = build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
  assert.match(runs[0]!, /^npm ci --include=dev/);
  assert.equal(runs.at(-1), "npm run build");
});

test("every workspace manifest is copied before npm ci (or the lockfile and the tree disagree)", () => {
  const manifests = stages.find((s) => s.name === "manifests")!;
  const copied = manifests.instructions
    .flatMap((i) => i.args.split(/\s+/))
    .filter((w) => w.endsWith("package.json"));
  const workspaces = ["apps", "packages"]
    .flatMap((dir) => readdirSync(`${REPO}${dir}`).map((name) => `${dir}/${name}`))
    .concat(["bench", "e2e"])
    .filter((dir) => existsSync(`${REPO}${dir}/package.json`));
  assert.ok(workspaces.length >= 9);
  for (const workspace of workspaces)
    assert.ok(copied.includes(`${workspace}/package.json`), `${workspace}/package.json is not copied`);
});

/** Runs a target's HEALTHCHECK command (exec form) with `env`; resolves to its exit code. */
async function healthcheck(target: string, env: Record<string, string>): Promise<number | null> {
  const all = lineage(stages, target).flatMap((s) => s.instructions);
  const check = all
    .filter((i) => i.keyword === "HEALTHCHECK")
    .at(-1)!
    .args.replace(/^.*?CMD /, "");
  const [command, ...args] = JSON.parse(check) as string[];
  assert.equal(command, "node");
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: "ignore" });
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

test("each HEALTHCHECK passes on a 200 and fails on a 503 or a closed port", async () => {
  let status = 200;
  const probe = createServer((req, res) => {
    res.writeHead(req.url === "/healthz" || req.url === "/control/counters" ? status : 404).end("{}");
  });
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const port = String((probe.address() as AddressInfo).port);
  const env = { PORT: port, SIM_PORT: port };
  try {
    for (const target of Object.keys(TARGETS)) {
      status = 200;
      assert.equal(await healthcheck(target, env), 0, `${target} on 200`);
      status = 503;
      assert.equal(await healthcheck(target, env), 1, `${target} on 503`);
    }
  } finally {
    probe.close();
  }
  for (const target of Object.keys(TARGETS))
    assert.equal(await healthcheck(target, env), 1, `${target}, port closed`);
});
