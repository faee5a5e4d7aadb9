import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kustomize, ROOT } from './deploy-files';
import { SKIPPED_GROUPS, validateManifest, Verdict } from './k8s-schema';

/** The base and every overlay: what `kubectl apply -k` is pointed at. */
const TARGETS = [
  'k8s',
  ...readdirSync(join(ROOT, 'overlays'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => `overlays/${entry.name}`),
];

/**
 * k8s/ and overlays/ copied to a temporary directory, each secrets.env made from its committed
 * example (the real one is never in the repository; the production overlay needs one to build).
 */
function deployTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'up-club-k8s-schema-'));
  for (const part of ['k8s', 'overlays']) {
    cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  }
  for (const target of TARGETS) {
    const example = join(dir, target, 'secrets.env.example');
    if (existsSync(example)) writeFileSync(join(dir, target, 'secrets.env'), readFileSync(example));
  }
  return dir;
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} has no ${from}`);
  writeFileSync(file, text.replace(from, to));
}

const failing = (verdicts: Verdict[]) => verdicts.filter((v) => v.problems.length > 0);

describe('Kubernetes manifests, validated offline against the v1.33 API schemas', () => {
  let dir: string;

  beforeAll(() => {
    dir = deployTree();
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('cover the base and every overlay', () => {
    expect(TARGETS).toEqual(
      expect.arrayContaining(['k8s', 'overlays/bot-webhook', 'overlays/production']),
    );
  });

  it.each(TARGETS)('accept every object %s builds', (target) => {
    const verdicts = kustomize(join(dir, target)).map(validateManifest);

    expect(verdicts.length).toBeGreaterThan(0);
    expect(failing(verdicts)).toEqual([]);
    // Only custom resources of the known operator groups go unvalidated.
    const reasons = new Set(Object.values(SKIPPED_GROUPS));
    for (const { object, skipped } of verdicts.filter((v) => v.skipped)) {
      expect({ object, known: reasons.has(skipped ?? '') }).toEqual({ object, known: true });
    }
  });

  it('skip Prometheus Operator resources: their schemas are not a dependency', () => {
    const verdict = validateManifest({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PodMonitor',
      metadata: { name: 'up-club' },
    });

    expect(verdict).toEqual({
      object: 'PodMonitor/up-club',
      problems: [],
      skipped: SKIPPED_GROUPS['monitoring.coreos.com'],
    });
  });
});

// The validation must be able to fail: the same build, from a copy with one mistake each.
describe('the offline validation refuses', () => {
  let dir: string;

  beforeEach(() => {
    dir = deployTree();
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('a misspelled field, at any depth (the API server rejects unknown fields)', () => {
    const users = join(dir, 'k8s', 'users.yaml');
    edit(users, 'revisionHistoryLimit:', 'revisionHistoryLimt:');
    edit(users, 'readOnlyRootFilesystem:', 'readOnlyRootFileSystem:');

    const verdicts = kustomize(join(dir, 'k8s')).map(validateManifest);

    expect(failing(verdicts)).toEqual([
      {
        object: 'Deployment/users',
        problems: [
          '/spec/revisionHistoryLimt: no such field',
          '/spec/template/spec/containers/0/securityContext/readOnlyRootFileSystem: no such field',
        ],
      },
    ]);
  });

  it('a value of the wrong type or outside an enum', () => {
    edit(join(dir, 'k8s', 'events.yaml'), 'replicas: 2', "replicas: 'two'");
    edit(join(dir, 'k8s', 'gateway.yaml'), 'pathType: Prefix', 'pathType: Prefixed');

    const verdicts = failing(kustomize(join(dir, 'k8s')).map(validateManifest));

    expect(verdicts.map((v) => v.object)).toEqual(['Deployment/events', 'Ingress/gateway']);
    expect(verdicts[0].problems.join()).toContain('/spec/replicas must be integer');
    expect(verdicts[1].problems.join()).toContain('must be equal to one of the allowed values');
  });

  it('a missing required field', () => {
    edit(join(dir, 'overlays', 'bot-webhook', 'webhook.yaml'), 'pathType:', 'pathKind:');

    const verdicts = failing(kustomize(join(dir, 'overlays', 'bot-webhook')).map(validateManifest));

    expect(verdicts.map((v) => v.object)).toEqual(['Ingress/bot-webhook']);
    expect(verdicts[0].problems.join()).toContain('must have required property pathType');
  });

  it.each([
    ['a removed API version', { apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget' }],
    ['a beta API version', { apiVersion: 'autoscaling/v2beta2', kind: 'HorizontalPodAutoscaler' }],
    ['a kind its version does not have', { apiVersion: 'apps/v1', kind: 'Ingress' }],
    ['a custom resource of an unknown group', { apiVersion: 'example.com/v1', kind: 'Widget' }],
    ['an object without apiVersion', { kind: 'ConfigMap' }],
    ['a Secret value that is not base64', { apiVersion: 'v1', kind: 'Secret', data: { K: 'a b' } }],
  ])('%s', (_case, object) => {
    expect(validateManifest({ ...object, metadata: { name: 'x' } }).problems).toHaveLength(1);
  });
});
