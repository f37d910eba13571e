import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

interface Kustomization {
  resources?: string[];
  patches?: { target: { kind: string; name: string }; patch: string }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

/** The kustomization fields `renderKustomization` implements; any other one fails the render. */
const SUPPORTED = new Set(["apiVersion", "kind", "resources", "patches", "images"]);

/**
 * `kustomize build <dir>` for the subset our manifests use: resources (files and directories),
 * inline JSON 6902 patches on a target kind and name, and image name/tag changes. It renders no
 * cluster-side defaults. An unsupported field throws, so a manifest change that needs more of
 * kustomize than this fails a test instead of being checked against the wrong output.
 */
export function renderKustomization(dir: string): K8sObject[] {
  const kustomization = parse(readFileSync(join(dir, "kustomization.yaml"), "utf8")) as Kustomization;
  const unsupported = Object.keys(kustomization).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0)
    throw new Error(`${dir}: unsupported kustomization fields ${unsupported.join(", ")}`);
  const objects = (kustomization.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return statSync(path).isDirectory() ? renderKustomization(path) : readManifests(path);
  });
  for (const { target, patch } of kustomization.patches ?? []) {
    const matches = objects.filter((o) => o.kind === target.kind && o.metadata.name === target.name);
    if (matches.length !== 1)
      throw new Error(`${dir}: patch target ${target.kind}/${target.name} matched ${matches.length}`);
    for (const operation of parse(patch) as JsonPatchOperation[]) applyOperation(matches[0]!, operation);
  }
  for (const image of kustomization.images ?? [])
    for (const container of objects.flatMap(containersOf))
      if (container.image === image.name || container.image.startsWith(`${image.name}:`))
        container.image = `${image.newName ?? image.name}:${image.newTag ?? "latest"}`;
  return objects;
}

/** Every document of a (multi-document) YAML file. */
export function readManifests(path: string): K8sObject[] {
  return parseAllDocuments(readFileSync(path, "utf8"))
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((doc): doc is K8sObject => doc !== null);
}

export function containersOf(object: K8sObject): { name: string; image: string; [field: string]: any }[] {
  const pod = (object as any).spec?.template?.spec;
  return pod === undefined ? [] : [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
}

interface JsonPatchOperation {
  op: "add" | "replace" | "remove";
  path: string;
  value?: unknown;
}

/** RFC 6902 add / replace / remove on `document`, in place. */
function applyOperation(document: unknown, { op, path, value }: JsonPatchOperation): void {
  const tokens = path
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
  const last = tokens.pop()!;
  let parent = document as any;
  for (const token of tokens) {
    parent = parent?.[token];
    if (parent === undefined) throw new Error(`patch path ${path}: ${token} does not exist`);
  }
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (op === "add") parent.splice(index, 0, value);
    else if (index >= parent.length) throw new Error(`patch path ${path}: no element ${last}`);
    else if (op === "replace") parent[index] = value;
    else parent.splice(index, 1);
    return;
  }
  if (op !== "add" && !(last in parent)) throw new Error(`patch path ${path}: ${last} does not exist`);
  if (op === "remove") delete parent[last];
  else parent[last] = value;
}
