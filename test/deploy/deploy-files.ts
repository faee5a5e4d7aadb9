import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

/** Helpers shared by the deployment-file tests: the repository's files, parsed. */
export const ROOT = resolve(__dirname, '..', '..');

export const APPS = ['gateway', 'users', 'auth-codes', 'events', 'bot'] as const;
export type AppName = (typeof APPS)[number];
/** The apps that own tables in PostgreSQL, each with a migrate command. */
export const DATABASE_APPS = ['users', 'auth-codes', 'events'] as const;
export const BUS_SERVICES = DATABASE_APPS;

export function readRepoFile(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export function repoFileExists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

export function mainPathOf(app: string): string {
  return `dist/apps/${app}/apps/${app}/src/main.js`;
}

export function migratePathOf(app: string): string {
  return `dist/apps/${app}/apps/${app}/src/migrate.js`;
}

/** docker-compose.yml, with YAML merge keys (`<<: *common-env`) resolved as Compose does. */
export function loadCompose(): ComposeFile {
  return parse(readRepoFile('docker-compose.yml'), { merge: true }) as ComposeFile;
}

/**
 * Compose variable interpolation as `docker compose` does it with an empty environment:
 * `${VAR:-default}` / `${VAR-default}` become the default, `${VAR}` becomes empty.
 */
export function interpolate(value: string): string {
  return value.replace(
    /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g,
    (_match, _name, fallback) => fallback ?? '',
  );
}

export interface ComposeService {
  image?: string;
  build?: { context?: string; target?: string; args?: Record<string, string> };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  healthcheck?: {
    test?: string[] | string;
    interval?: string;
    timeout?: string;
    retries?: number;
    disable?: boolean;
  };
  depends_on?: Record<string, { condition?: string }> | string[];
  restart?: string;
  ports?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** A Kubernetes object, loosely typed: the tests read the fields they check. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // The manifests' own shapes: each test narrows what it reads.
  spec?: Record<string, unknown> & K8sSpec;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface K8sSpec {
  selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
  template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec };
  minReplicas?: number;
  maxReplicas?: number;
  scaleTargetRef?: { apiVersion: string; kind: string; name: string };
  ports?: { name?: string; port: number; targetPort?: number | string }[];
  rules?: IngressRule[];
  minAvailable?: number | string;
  maxUnavailable?: number | string;
  // NetworkPolicy
  podSelector?: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: { from?: NetworkPeer[]; ports?: NetworkPort[] }[];
  egress?: { to?: NetworkPeer[]; ports?: NetworkPort[] }[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: {
    key: string;
    operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
    values?: string[];
  }[];
}

export interface NetworkPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number | string;
}

export interface IngressRule {
  host?: string;
  http: {
    paths: {
      path: string;
      pathType: string;
      backend: { service: { name: string; port: { name?: string; number?: number } } };
    }[];
  };
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  restartPolicy?: string;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  exec?: { command: string[] };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string; optional?: boolean };
      configMapKeyRef?: { name: string; key: string };
      fieldRef?: { fieldPath: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
}

/** Whether a Kubernetes label selector selects `labels` (an empty selector selects everything). */
export function selects(
  selector: LabelSelector | undefined,
  labels: Record<string, string> = {},
): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(
    ([key, value]) => labels[key] === value,
  );
  const byExpressions = (selector.matchExpressions ?? []).every(
    ({ key, operator, values = [] }) => {
      switch (operator) {
        case 'In':
          return key in labels && values.includes(labels[key]);
        case 'NotIn':
          return !(key in labels) || !values.includes(labels[key]);
        case 'Exists':
          return key in labels;
        case 'DoesNotExist':
          return !(key in labels);
      }
    },
  );
  return byLabels && byExpressions;
}

/** The keys overlays/production/secrets.env.example lists (`KEY=value` lines), with their values. */
export function exampleSecrets(): Record<string, string> {
  return Object.fromEntries(
    readRepoFile('overlays/production/secrets.env.example')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'))
      .map((line) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)];
      }),
  );
}

export function k8sFiles(): string[] {
  return readdirSync(join(ROOT, 'k8s'))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
}

/** Every object of every manifest in k8s/ (the kustomization itself excluded). */
export function loadK8sObjects(): K8sObject[] {
  return k8sFiles()
    .filter((file) => file !== 'kustomization.yaml')
    .flatMap((file) =>
      parseAllDocuments(readRepoFile(`k8s/${file}`)).map((doc) => {
        if (doc.errors.length > 0) throw new Error(`k8s/${file}: ${doc.errors[0].message}`);
        return doc.toJS() as K8sObject;
      }),
    )
    .filter((object) => object !== null);
}

/** `kubectl kustomize <dir>`, parsed: what `kubectl apply -k <dir>` would send. */
export function kustomize(dir: string): K8sObject[] {
  const output = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  return parseAllDocuments(output)
    .map((doc) => doc.toJS() as K8sObject)
    .filter((object) => object !== null);
}

/**
 * The environment variables an app reads: the fields of its config class and of the shared
 * classes it extends (libs/config/src/common-env.ts). A variable set for an app that reads no such
 * variable is a typo or a leftover, and the tests reject it.
 */
export function variablesOf(app: AppName): Set<string> {
  const own = readRepoFile(`apps/${app}/src/config/${app}.config.ts`);
  const common = readRepoFile('libs/config/src/common-env.ts');
  // The database variables: the WithDatabase mixin and DatabaseEnv, after every app's variables.
  const [commonPart, databasePart = ''] = common.split(/function WithDatabase/);
  const names = [...fieldsOf(own), ...fieldsOf(commonPart)];
  if (/extends DatabaseEnv/.test(own)) names.push(...fieldsOf(databasePart));
  return new Set(names);
}

function fieldsOf(source: string): string[] {
  // Class fields, at the top level of a class or of a mixin's class.
  return [...source.matchAll(/^(?: {2}| {4})([A-Z][A-Z0-9_]+)[?!]?\s*[:=]/gm)].map(
    (match) => match[1],
  );
}
