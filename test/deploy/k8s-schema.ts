import * as models from 'kubernetes-models';

/**
 * Offline validation of Kubernetes objects against the API's OpenAPI schemas, as compiled by
 * `kubernetes-models` 4.5 (Kubernetes v1.33.0). Its 5.x (v1.36) is ESM-only and requires Node 22+,
 * while the repository's Jest runs CommonJS and the project keeps working on Node 20.19.
 *
 * The package also keeps the models of API versions that Kubernetes has since removed
 * (extensions/v1beta1, policy/v1beta1...), so only stable versions (v1, v2) are accepted: those are
 * never removed and always served, while betas are removed or, since 1.24, off by default.
 */
const STABLE_VERSION = /^v\d+$/;

/** Groups of custom resources kubernetes-models does not ship, skipped rather than refused. */
export const SKIPPED_GROUPS: Record<string, string> = {
  // PodMonitor, PrometheusRule...: the schemas are in @kubernetes-models/prometheus-operator,
  // which the repository does not depend on; the operator's CRD schemas check them on apply.
  'monitoring.coreos.com': 'Prometheus Operator custom resources',
};

export interface ManifestObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
}

export interface Verdict {
  /** `kind/name`, as kubectl names it. */
  object: string;
  problems: string[];
  /** Why the object was not validated, for a group of SKIPPED_GROUPS. */
  skipped?: string;
}

interface ModelClass {
  apiVersion: string;
  kind: string;
  prototype: { validate(): void };
}

function isModelClass(value: unknown): value is ModelClass {
  const candidate = value as Partial<ModelClass> | undefined;
  return (
    typeof value === 'function' &&
    typeof candidate?.apiVersion === 'string' &&
    typeof candidate.kind === 'string'
  );
}

let registry: Map<string, ModelClass> | undefined;

/** Every kind the package ships (models.<group>.<version>.<Kind>, models.v1.<Kind>), by type. */
function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  if (!registry) {
    const found = new Map<string, ModelClass>();
    const walk = (namespace: object, depth: number): void => {
      for (const value of Object.values(namespace)) {
        if (isModelClass(value)) found.set(`${value.apiVersion}/${value.kind}`, value);
        else if (value !== null && typeof value === 'object' && depth < 2) walk(value, depth + 1);
      }
    };
    walk(models, 0);
    registry = found;
  }
  return registry.get(`${apiVersion}/${kind}`);
}

/** A JSON Pointer one level down: annotation keys carry slashes. */
function pointer(path: string, key: string): string {
  return `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/**
 * The compiled validators check types, enums and required fields but accept fields the schema
 * does not define, which the API server refuses (kubectl applies with strict field validation).
 * So the object is validated through proxies that record which fields the validator reads: it
 * reads every field its schema defines (and every entry of a map, such as labels), so a field it
 * never reads is not in the schema. Only the outermost such field is reported.
 */
function unknownFields(model: ModelClass, object: object): string[] {
  const all: { path: string; parent: string }[] = [];
  const read = new Set<string>();
  const track = (value: unknown, path: string): unknown => {
    if (Array.isArray(value)) return value.map((item, index) => track(item, `${path}/${index}`));
    if (value === null || typeof value !== 'object') return value;
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const childPath = pointer(path, key);
      all.push({ path: childPath, parent: path });
      copy[key] = track(child, childPath);
    }
    return new Proxy(copy, {
      get(target, key, receiver) {
        if (typeof key === 'string' && Object.hasOwn(target, key)) {
          read.add(pointer(path, key));
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
  };
  model.prototype.validate.call(track(object, ''));
  const unread = new Set(all.filter(({ path }) => !read.has(path)).map(({ path }) => path));
  return all
    .filter(({ path, parent }) => unread.has(path) && !unread.has(parent))
    .map(({ path }) => `${path}: no such field`);
}

/**
 * kustomize's secretGenerator wraps long base64 values over lines, which the API server accepts
 * (Go's base64 decoder skips line breaks) and the schema's `byte` format does not: unwrap them.
 */
function withUnwrappedBase64(object: ManifestObject): ManifestObject {
  const field = object.kind === 'Secret' ? 'data' : object.kind === 'ConfigMap' ? 'binaryData' : '';
  const values = (object as Record<string, unknown>)[field];
  if (!field || values === null || typeof values !== 'object') return object;
  const unwrapped = Object.entries(values).map(([key, value]) => [
    key,
    typeof value === 'string' ? value.replace(/[\r\n]/g, '') : value,
  ]);
  return { ...object, [field]: Object.fromEntries(unwrapped) };
}

/** Validates one object; problems is empty when the API server would accept its shape. */
export function validateManifest(object: ManifestObject): Verdict {
  const { apiVersion, kind } = object;
  const id = `${String(kind)}/${String(object.metadata?.name)}`;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return { object: id, problems: ['no apiVersion or kind'] };
  }
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  if (group in SKIPPED_GROUPS) return { object: id, problems: [], skipped: SKIPPED_GROUPS[group] };
  const version = apiVersion.split('/').at(-1) ?? '';
  if (!STABLE_VERSION.test(version)) {
    return { object: id, problems: [`${apiVersion} is not a stable API version`] };
  }
  const model = modelFor(apiVersion, kind);
  if (!model) {
    return { object: id, problems: [`${apiVersion} ${kind} is not a Kubernetes v1.33 API kind`] };
  }
  const normalized = withUnwrappedBase64(object);
  try {
    model.prototype.validate.call(normalized);
  } catch (error) {
    return { object: id, problems: [(error as Error).message] };
  }
  return { object: id, problems: unknownFields(model, normalized) };
}
