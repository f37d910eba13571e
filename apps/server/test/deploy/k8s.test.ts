import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { loadConfig } from "../../src/config";
import { REPO } from "../support/compose-file";
import { containersOf, readManifests, renderKustomization, type K8sObject } from "../support/kustomize";

// Every manifest, as `kubectl apply -k` would send it, validated offline against the Kubernetes
// OpenAPI schemas (kubernetes-models; the Prometheus Operator's CRD schemas for its objects), then
// held to what the deployment needs: non-root, read-only root filesystem, requests and limits,
// probes on declared ports, Services and Ingress paths that reach pods, budgets that allow a drain.

const K8S = `${REPO}deploy/k8s/`;
const OVERLAYS = ["base", "scaled", "monitoring"] as const;
const rendered = Object.fromEntries(OVERLAYS.map((o) => [o, renderKustomization(`${K8S}${o}`)])) as Record<
  (typeof OVERLAYS)[number],
  K8sObject[]
>;

/** The kubernetes-models class for an object's apiVersion and kind. */
async function modelFor(object: K8sObject): Promise<{ validate(): void }> {
  const [group, version] = object.apiVersion.includes("/")
    ? object.apiVersion.split("/")
    : ["", object.apiVersion];
  const module =
    group === "monitoring.coreos.com"
      ? `@kubernetes-models/prometheus-operator/${group}/${version}/${object.kind}`
      : `kubernetes-models/${group === "" ? "" : `${group}/`}${version}/${object.kind}`;
  const exports = (await import(module)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = exports[object.kind];
  assert.ok(Model, `no schema for ${object.apiVersion} ${object.kind}`);
  return new Model(object);
}

const byKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const find = (objects: K8sObject[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `no ${kind}/${name}`);
  return found as any;
};
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
const podsOf = (objects: K8sObject[], selector: Record<string, string>) =>
  byKind(objects, "Deployment").filter((d: any) => matches(selector, d.spec.template.metadata.labels));

for (const overlay of OVERLAYS) {
  describe(`deploy/k8s/${overlay}`, () => {
    const objects = rendered[overlay];

    test("every object is valid against its OpenAPI schema", async () => {
      assert.ok(objects.length > 0);
      for (const object of objects) {
        const model = await modelFor(object);
        assert.doesNotThrow(() => model.validate(), `${object.kind}/${object.metadata.name}`);
      }
      const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      assert.equal(new Set(names).size, names.length, "duplicate objects");
    });

    test("every pod runs non-root on a read-only root filesystem, with requests, limits and probes", () => {
      for (const deployment of byKind(objects, "Deployment") as any[]) {
        const where = `Deployment/${deployment.metadata.name}`;
        const pod = deployment.spec.template.spec;
        assert.equal(pod.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
        assert.equal(pod.automountServiceAccountToken, false, `${where}: needs no API token`);
        assert.ok(
          matches(deployment.spec.selector.matchLabels, deployment.spec.template.metadata.labels),
          where,
        );
        for (const container of containersOf(deployment)) {
          const at = `${where} ${container.name}`;
          assert.equal(
            container.securityContext?.readOnlyRootFilesystem,
            true,
            `${at}: readOnlyRootFilesystem`,
          );
          assert.equal(
            container.securityContext?.allowPrivilegeEscalation,
            false,
            `${at}: allowPrivilegeEscalation`,
          );
          assert.deepEqual(container.securityContext?.capabilities?.drop, ["ALL"], `${at}: capabilities`);
          for (const kind of ["requests", "limits"])
            for (const resource of ["cpu", "memory"])
              assert.ok(container.resources?.[kind]?.[resource], `${at}: ${kind}.${resource}`);
          assert.match(container.image, /:[\w.-]+$/, `${at}: image has a tag`);
          assert.doesNotMatch(container.image, /:latest$/, `${at}: image pinned`);
          const ports = new Set((container.ports ?? []).map((p: { name: string }) => p.name));
          for (const probe of ["livenessProbe", "readinessProbe"]) {
            assert.ok(container[probe], `${at}: ${probe}`);
            assert.ok(ports.has(container[probe].httpGet.port), `${at}: ${probe} on an undeclared port`);
          }
          for (const mount of container.volumeMounts ?? [])
            assert.ok(
              pod.volumes.some((v: { name: string }) => v.name === mount.name),
              `${at}: mount ${mount.name}`,
            );
        }
      }
    });

    test("Services reach pods on a declared port; disruption budgets cover pods and allow a drain", () => {
      for (const service of byKind(objects, "Service") as any[]) {
        const pods = podsOf(objects, service.spec.selector);
        assert.ok(pods.length > 0, `Service/${service.metadata.name} selects no pods`);
        for (const port of service.spec.ports)
          for (const pod of pods)
            assert.ok(
              containersOf(pod).some((c) =>
                (c.ports ?? []).some((p: { name: string }) => p.name === port.targetPort),
              ),
              `Service/${service.metadata.name} → ${port.targetPort} not declared by ${pod.metadata.name}`,
            );
      }
      for (const budget of byKind(objects, "PodDisruptionBudget") as any[]) {
        const [pods] = podsOf(objects, budget.spec.selector.matchLabels);
        assert.ok(pods, `PodDisruptionBudget/${budget.metadata.name} selects no pods`);
        const replicas = (pods as any).spec.replicas as number;
        const minAvailable = budget.spec.minAvailable as number | undefined;
        assert.ok(
          minAvailable === undefined ? budget.spec.maxUnavailable >= 1 : minAvailable < replicas,
          `PodDisruptionBudget/${budget.metadata.name} would block every eviction of ${replicas} replica(s)`,
        );
      }
    });

    test("every secret and config the pods read exists, and the server accepts the configuration", () => {
      const example = readManifests(`${K8S}secret.example.yaml`)[0] as any;
      const configMap = objects.find((o) => o.kind === "ConfigMap") as any;
      for (const deployment of byKind(objects, "Deployment"))
        for (const container of containersOf(deployment))
          for (const variable of container.env ?? []) {
            const key = variable.valueFrom?.secretKeyRef?.key as string | undefined;
            if (key !== undefined)
              assert.ok(key in example.stringData, `${variable.name}: ${key} not in the Secret`);
          }
      for (const deployment of byKind(objects, "Deployment"))
        for (const volume of (deployment as any).spec.template.spec.volumes ?? [])
          for (const item of volume.secret?.items ?? [])
            assert.ok(item.key in example.stringData, `${volume.name}: ${item.key} not in the Secret`);
      if (configMap === undefined) return;
      for (const deployment of byKind(objects, "Deployment").filter((d) =>
        containersOf(d)[0]!.image.includes("torghut-server"),
      )) {
        const env = Object.fromEntries(
          containersOf(deployment)[0]!
            .env.filter((e: any) => e.value !== undefined)
            .map((e: any) => [e.name, e.value]),
        );
        assert.doesNotThrow(
          () =>
            loadConfig({ ...configMap.data, ...env, DATABASE_URL: "postgres://torghut@postgres/torghut" }),
          `${deployment.metadata.name}: the server refuses its configuration`,
        );
      }
    });
  });
}

test("base: the web app has a Deployment, a Service, and the Ingress routes / to it and the API to the server", () => {
  const objects = rendered.base;
  const web = find(objects, "Deployment", "torghut-web");
  const apiUrl = new URL(
    containersOf(web)[0]!.env.find((e: any) => e.name === "TORGHUT_API_URL").value as string,
  );
  const api = find(objects, "Service", apiUrl.hostname);
  assert.equal(String(api.spec.ports[0].port), apiUrl.port);
  const ingress = find(objects, "Ingress", "torghut");
  const routes = Object.fromEntries(
    ingress.spec.rules[0].http.paths.map((p: any) => [`${p.pathType} ${p.path}`, p.backend.service.name]),
  );
  assert.equal(routes["Prefix /"], "torghut-web");
  for (const path of ["/api", "/ws", "/hubs", "/socket.io"])
    assert.equal(routes[`Prefix ${path}`], "torghut", path);
  // Minted by the web app; the server has no such route.
  assert.equal(routes["Exact /api/realtime-token"], "torghut-web");
  for (const path of ingress.spec.rules[0].http.paths) find(objects, "Service", path.backend.service.name);
  const annotations = ingress.metadata.annotations;
  for (const timeout of ["proxy-read-timeout", "proxy-send-timeout"])
    assert.ok(Number(annotations[`nginx.ingress.kubernetes.io/${timeout}`]) >= 3600, timeout);
  const origin = containersOf(web)[0]!.env.find((e: any) => e.name === "NEXT_PUBLIC_TORGHUT_WS_ORIGIN")
    .value as string;
  assert.equal(new URL(origin).host, ingress.spec.rules[0].host, "the hub is opened on the Ingress host");
});

test("scaled: realtime replicas behind the client Service, two ingest replicas on one lock, NATS as the bus", () => {
  const objects = rendered.scaled;
  const role = (name: string) =>
    containersOf(find(objects, "Deployment", name))[0]!.env.find((e: any) => e.name === "ROLE").value;
  assert.equal(role("torghut-server"), "realtime");
  assert.equal(find(objects, "Deployment", "torghut-server").spec.replicas, 3);
  assert.equal(role("torghut-ingest"), "ingest");
  assert.equal(find(objects, "Deployment", "torghut-ingest").spec.replicas, 2);
  const bus = new URL(find(objects, "ConfigMap", "torghut-config").data.BUS_URL as string);
  assert.equal(String(find(objects, "Service", bus.hostname).spec.ports[0].port), bus.port);
  assert.equal(
    find(objects, "HorizontalPodAutoscaler", "torghut-server").spec.scaleTargetRef.name,
    "torghut-server",
  );
  const images = new Set(
    byKind(objects, "Deployment")
      .flatMap(containersOf)
      .map((c) => c.image)
      .filter((image) => image.includes("torghut-server")),
  );
  assert.equal(images.size, 1, `every server replica runs the same image: ${[...images].join(", ")}`);
  // The base's web app and Ingress come along.
  find(objects, "Deployment", "torghut-web");
  find(objects, "Ingress", "torghut");
});

test("monitoring: the ServiceMonitor scrapes every server Service, the PrometheusRule is deploy/prometheus/alerts.yml", () => {
  const objects = rendered.monitoring;
  const monitor = find(objects, "ServiceMonitor", "torghut");
  const wanted = monitor.spec.selector.matchExpressions[0].values as string[];
  for (const overlay of ["base", "scaled"] as const) {
    const selected = byKind(rendered[overlay], "Service").filter(
      (s: any) =>
        matches(monitor.spec.selector.matchLabels, s.metadata.labels) &&
        wanted.includes(s.metadata.labels["app.kubernetes.io/component"]),
    );
    const servers = byKind(rendered[overlay], "Service").filter((s: any) =>
      podsOf(rendered[overlay], s.spec.selector).some((d) =>
        containersOf(d)[0]!.image.includes("torghut-server"),
      ),
    );
    assert.deepEqual(
      selected.map((s) => s.metadata.name).sort(),
      servers.map((s) => s.metadata.name).sort(),
      overlay,
    );
    for (const service of selected as any[])
      assert.ok(service.spec.ports.some((p: any) => p.name === monitor.spec.endpoints[0].port));
  }
  const shipped = parse(readFileSync(`${REPO}deploy/prometheus/alerts.yml`, "utf8")) as { groups: unknown };
  assert.deepEqual(find(objects, "PrometheusRule", "torghut").spec.groups, shipped.groups);
});
