import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import {
  APPS,
  AppName,
  BUS_SERVICES,
  Container,
  DATABASE_APPS,
  exampleSecrets,
  K8sObject,
  k8sFiles,
  kustomize,
  loadK8sObjects,
  migratePathOf,
  readRepoFile,
  ROOT,
  selects,
  variablesOf,
} from './deploy-files';

const NAMESPACE = 'up-club';
const SECRET_NAME = 'up-club-secrets';

/** Every container of the Deployments and the Job: what reads the Secret. */
function workloadContainers(objects: K8sObject[]): Container[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
    .flatMap((o) => [
      ...(o.spec?.template?.spec.initContainers ?? []),
      ...(o.spec?.template?.spec.containers ?? []),
    ]);
}

function secretRefsOf(objects: K8sObject[]): { name: string; key: string; optional?: boolean }[] {
  return workloadContainers(objects).flatMap((c) =>
    (c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef] : [])),
  );
}

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in k8s/`);
  return found;
}

function containerOf(deployment: K8sObject): Container {
  const containers = deployment.spec?.template?.spec.containers ?? [];
  const container = containers.find((c) => c.name === deployment.metadata.name);
  if (!container)
    throw new Error(`Deployment ${deployment.metadata.name} has no container of its name`);
  return container;
}

function matches(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> = {},
): boolean {
  return (
    selector !== undefined &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => labels[key] === value)
  );
}

/** Variables a container gets: its env entries and every key of the ConfigMaps it loads. */
function variablesSet(container: Container, objects: K8sObject[]): string[] {
  const fromConfigMaps = (container.envFrom ?? []).flatMap((source) =>
    source.configMapRef
      ? Object.keys(find(objects, 'ConfigMap', source.configMapRef.name).data ?? {})
      : [],
  );
  return [...fromConfigMaps, ...(container.env ?? []).map((entry) => entry.name)];
}

describe('k8s manifests', () => {
  let sut: K8sObject[];

  beforeAll(() => {
    sut = loadK8sObjects();
  });

  it('are listed, every one, in kustomization.yaml', () => {
    const kustomization = parse(readRepoFile('k8s/kustomization.yaml')) as { resources: string[] };
    const monitoring = readdirSync(join(ROOT, 'k8s', 'monitoring'))
      .filter((file) => /\.ya?ml$/.test(file))
      .map((file) => `monitoring/${file}`);
    const manifests = [
      ...k8sFiles().filter((file) => file !== 'kustomization.yaml'),
      ...monitoring,
    ].sort();
    expect([...kustomization.resources].sort()).toEqual(manifests);
  });

  it('put everything in the up-club namespace', () => {
    expect(find(sut, 'Namespace', NAMESPACE)).toBeDefined();
    const elsewhere = sut
      .filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== NAMESPACE)
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(elsewhere).toEqual([]);
  });

  it('define no Secret: no secret value lives in the repository', () => {
    expect(sut.filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
  });

  it(`read secrets from ${SECRET_NAME} only, never optionally: without it no app starts`, () => {
    const refs = secretRefsOf(sut);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect({ ...ref, optional: ref.optional ?? false }).toEqual({
        name: SECRET_NAME,
        key: ref.key,
        optional: false,
      });
    }
    const fromWholeSecrets = workloadContainers(sut).flatMap((c) =>
      (c.envFrom ?? []).filter((source) => source.secretRef),
    );
    expect(fromWholeSecrets).toEqual([]);
  });

  it.each(APPS)('run %s as a Deployment with requests and limits', (app) => {
    const deployment = find(sut, 'Deployment', app);
    expect(deployment.apiVersion).toBe('apps/v1');
    expect(
      matches(deployment.spec?.selector?.matchLabels, deployment.spec?.template?.metadata?.labels),
    ).toBe(true);
    const container = containerOf(deployment);
    expect(container.image).toMatch(new RegExp(`^up-club/${app}:`));
    for (const kind of ['requests', 'limits'] as const) {
      expect(container.resources?.[kind]?.cpu).toBeDefined();
      expect(container.resources?.[kind]?.memory).toBeDefined();
    }
    expect(deployment.spec?.template?.spec.securityContext?.runAsNonRoot).toBe(true);
  });

  it.each(APPS)(
    'probe %s over HTTP on its ops port: /health/live for liveness, /health/ready for readiness',
    (app) => {
      const container = containerOf(find(sut, 'Deployment', app));
      const ops = (container.ports ?? []).find((port) => port.name === 'ops');
      expect(ops?.containerPort).toBe(9464);
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 'ops' });
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 'ops' });
      expect(container.startupProbe?.httpGet?.port).toBe('ops');
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        expect(probe?.exec).toBeUndefined();
      }
    },
  );

  it('open no port on the bus services but the ops port', () => {
    for (const app of [...BUS_SERVICES, 'bot'] as const) {
      const ports = containerOf(find(sut, 'Deployment', app)).ports ?? [];
      expect(ports.map((port) => port.name)).toEqual(['ops']);
    }
  });

  it.each(APPS)('set only variables that %s reads, from objects that exist', (app) => {
    const container = containerOf(find(sut, 'Deployment', app));
    const known = variablesOf(app as AppName);
    const configMapKeys = new Set(
      (container.envFrom ?? []).flatMap((source) =>
        source.configMapRef
          ? Object.keys(find(sut, 'ConfigMap', source.configMapRef.name).data ?? {})
          : [],
      ),
    );
    // A shared ConfigMap may carry a variable of another app; an app's own env may not.
    const unknown = (container.env ?? []).map((e) => e.name).filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
    // Secret keys: the ones the production overlay's secrets.env.example lists.
    const secretKeys = Object.keys(exampleSecrets());
    for (const entry of container.env ?? []) {
      const ref = entry.valueFrom?.secretKeyRef;
      if (ref) {
        expect({ key: ref.key, listed: secretKeys.includes(ref.key) }).toEqual({
          key: ref.key,
          listed: true,
        });
      }
    }
    expect(configMapKeys.size).toBeGreaterThan(0);
  });

  it('share ConfigMap keys that some app reads', () => {
    const everyKnown = new Set(APPS.flatMap((app) => [...variablesOf(app)]));
    const unknown = Object.keys(find(sut, 'ConfigMap', 'up-club-config').data ?? {}).filter(
      (key) => !everyKnown.has(key),
    );
    expect(unknown).toEqual([]);
  });

  it.each(APPS)('give %s the variables it needs', (app) => {
    const set = variablesSet(containerOf(find(sut, 'Deployment', app)), sut);
    const needed = ['NODE_ENV', 'REDIS_URL'];
    if ((DATABASE_APPS as readonly string[]).includes(app))
      needed.push('DATABASE_URL', 'DATABASE_MIGRATE_ON_START');
    if (app === 'gateway') needed.push('PORT', 'JWT_SECRET', 'WEB_APP_URL', 'TELEGRAM_BOT_TOKEN');
    if (app === 'bot') needed.push('TELEGRAM_BOT_TOKEN', 'TELEGRAM_API_ROOT', 'WEB_APP_URL');
    expect(set).toEqual(expect.arrayContaining(needed));
  });

  it('leave migrations to the Job: replicas do not migrate on start', () => {
    expect(find(sut, 'ConfigMap', 'up-club-config').data?.DATABASE_MIGRATE_ON_START).toBe('false');
  });

  it.each(APPS)('scale %s with a HorizontalPodAutoscaler on its Deployment', (app) => {
    const hpa = sut.find(
      (o) => o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.name === app,
    );
    expect(hpa?.apiVersion).toBe('autoscaling/v2');
    expect(hpa?.spec?.scaleTargetRef).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: app,
    });
    expect(hpa?.spec?.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa?.spec?.maxReplicas).toBeGreaterThanOrEqual(hpa?.spec?.minReplicas ?? Infinity);
  });

  it('expose the gateway through a Service and an Ingress that reach its pods', () => {
    const deployment = find(sut, 'Deployment', 'gateway');
    const service = find(sut, 'Service', 'gateway');
    const ingress = find(sut, 'Ingress', 'gateway');
    const podLabels = deployment.spec?.template?.metadata?.labels;
    expect(matches(service.spec?.selector as Record<string, string>, podLabels)).toBe(true);
    const containerPorts = (containerOf(deployment).ports ?? []).flatMap((p) => [
      p.name,
      p.containerPort,
    ]);
    for (const port of service.spec?.ports ?? []) expect(containerPorts).toContain(port.targetPort);
    const servicePorts = (service.spec?.ports ?? []).flatMap((p) => [p.name, p.port]);
    const paths = (ingress.spec?.rules ?? []).flatMap((rule) => rule.http.paths);
    expect(paths.map((p) => p.path)).toContain('/api');
    for (const path of paths) {
      expect(path.backend.service.name).toBe('gateway');
      expect(servicePorts).toContain(
        path.backend.service.port.name ?? path.backend.service.port.number,
      );
    }
  });

  // Was the gateway's alone; issue 12 gives every service one.
  it.each(APPS)(
    'keep %s running through voluntary disruptions: exactly one PodDisruptionBudget selects it',
    (app) => {
      const deployment = find(sut, 'Deployment', app);
      const podLabels = deployment.spec?.template?.metadata?.labels;
      const pdbs = sut.filter(
        (o) => o.kind === 'PodDisruptionBudget' && selects(o.spec?.selector, podLabels),
      );
      expect(pdbs.map((o) => o.metadata.name)).toEqual([app]);
      const [pdb] = pdbs;
      expect(pdb.apiVersion).toBe('policy/v1');
      // The Deployment's own selector: no broader (another app's pods), no narrower.
      expect(pdb.spec?.selector).toEqual({ matchLabels: deployment.spec?.selector?.matchLabels });
      // One of the two, and never a budget that forbids every eviction (a drain would hang).
      const budget = {
        minAvailable: pdb.spec?.minAvailable,
        maxUnavailable: pdb.spec?.maxUnavailable,
      };
      expect([
        { minAvailable: 1, maxUnavailable: undefined },
        { minAvailable: undefined, maxUnavailable: 1 },
      ]).toContainEqual(budget);
      expect(deployment.spec?.replicas).toBeGreaterThan(Number(pdb.spec?.minAvailable ?? 0));
    },
  );

  it('give a PodDisruptionBudget only to pods of one Deployment', () => {
    const deployments = sut.filter((o) => o.kind === 'Deployment');
    const budgets = sut.filter((o) => o.kind === 'PodDisruptionBudget');
    expect(budgets.length).toBeGreaterThan(0);
    for (const pdb of budgets) {
      const selected = deployments
        .filter((d) => selects(pdb.spec?.selector, d.spec?.template?.metadata?.labels))
        .map((d) => d.metadata.name);
      expect({ pdb: pdb.metadata.name, selected }).toEqual({
        pdb: pdb.metadata.name,
        selected: [pdb.metadata.name],
      });
    }
  });

  it('run each service migrate command in the migrations Job', () => {
    const job = sut.find((o) => o.kind === 'Job');
    const pod = job?.spec?.template?.spec;
    expect(['Never', 'OnFailure']).toContain(pod?.restartPolicy);
    const containers = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
    for (const app of DATABASE_APPS) {
      const container = containers.find((c) => c.image.startsWith(`up-club/${app}:`));
      expect(container?.command).toEqual(['node', migratePathOf(app)]);
      expect(variablesSet(container as Container, sut)).toContain('DATABASE_URL');
      // The Job migrates the same database the Deployment uses.
      const jobDb = container?.env?.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef;
      const appDb = containerOf(find(sut, 'Deployment', app)).env?.find(
        (e) => e.name === 'DATABASE_URL',
      )?.valueFrom?.secretKeyRef;
      expect(jobDb).toEqual(appDb);
    }
  });
  // Issue 9: the bot no longer runs as exactly one replica (Recreate, autoscaler pinned at 1); a
  // lease in Redis lets one of several replicas poll, so it runs two with a rolling update.
  it('run the bot as two replicas with a rolling update (one polls, holding the lease)', () => {
    const deployment = find(sut, 'Deployment', 'bot');
    const strategy = deployment.spec?.strategy as { type?: string } | undefined;
    expect(deployment.spec?.replicas).toBeGreaterThanOrEqual(2);
    expect(strategy?.type ?? 'RollingUpdate').toBe('RollingUpdate');
    const hpa = sut.find(
      (o) => o.kind === 'HorizontalPodAutoscaler' && o.spec?.scaleTargetRef?.name === 'bot',
    );
    expect(hpa?.spec?.minReplicas).toBeGreaterThanOrEqual(2);
  });
});

describe('the bot webhook overlay (overlays/bot-webhook)', () => {
  const dir = 'overlays/bot-webhook';
  const objectsOf = (file: string) =>
    parseAllDocuments(readRepoFile(`${dir}/${file}`)).map((doc) => doc.toJS() as K8sObject);
  const kustomization = parse(readRepoFile(`${dir}/kustomization.yaml`)) as {
    resources: string[];
    patches: { path: string }[];
  };
  const [patch] = objectsOf('bot-webhook-mode.yaml');
  const container = patch.spec?.template?.spec.containers.find((c) => c.name === 'bot');
  const env = new Map((container?.env ?? []).map((e) => [e.name, e]));
  const webhook = objectsOf('webhook.yaml');

  it('builds on k8s/ and lists its files', () => {
    expect(kustomization.resources).toEqual(['../../k8s', 'webhook.yaml']);
    expect(kustomization.patches.map((p) => p.path)).toEqual(['bot-webhook-mode.yaml']);
  });

  it('sets the webhook variables the bot reads, its secret from the platform Secret', () => {
    expect(patch.kind).toBe('Deployment');
    expect(patch.metadata.name).toBe('bot');
    const known = variablesOf('bot');
    expect([...env.keys()].filter((name) => !known.has(name))).toEqual([]);
    expect([...env.keys()]).toEqual(
      expect.arrayContaining(['TELEGRAM_WEBHOOK_URL', 'TELEGRAM_WEBHOOK_SECRET', 'BOT_HTTP_PORT']),
    );
    // Never a value in the repository: a key of the Secret the deployment creates (secrets.env).
    const ref = env.get('TELEGRAM_WEBHOOK_SECRET')?.valueFrom?.secretKeyRef;
    expect(ref).toEqual({ name: SECRET_NAME, key: 'TELEGRAM_WEBHOOK_SECRET' });
    expect(readRepoFile('overlays/bot-webhook/kustomization.yaml')).toContain(
      'TELEGRAM_WEBHOOK_SECRET',
    );
  });

  it('routes the URL’s host and path through a Service to the port the bot serves', () => {
    const port = container?.ports?.find(
      (p) => p.containerPort === Number(env.get('BOT_HTTP_PORT')?.value),
    );
    expect(port?.name).toBeDefined();
    const service = webhook.find((o) => o.kind === 'Service');
    const ingress = webhook.find((o) => o.kind === 'Ingress');
    const botLabels = find(loadK8sObjects(), 'Deployment', 'bot').spec?.template?.metadata?.labels;
    expect(matches(service?.spec?.selector as Record<string, string>, botLabels)).toBe(true);
    expect(service?.spec?.ports?.map((p) => p.targetPort)).toEqual([port?.name]);
    const url = new URL(env.get('TELEGRAM_WEBHOOK_URL')?.value ?? '');
    expect(url.protocol).toBe('https:');
    const [rule] = ingress?.spec?.rules ?? [];
    expect(rule.host).toBe(url.hostname);
    expect(rule.http.paths).toEqual([
      expect.objectContaining({
        path: url.pathname,
        backend: { service: { name: service?.metadata.name, port: { name: 'webhook' } } },
      }),
    ]);
  });
});

describe('kustomize builds', () => {
  it('the base k8s/ for validation, without any Secret', () => {
    const objects = kustomize(join(ROOT, 'k8s'));

    expect(objects.filter((o) => o.kind === 'Deployment')).toHaveLength(APPS.length);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it(`the production overlay: ${SECRET_NAME} generated from secrets.env, every key the apps read`, () => {
    // A copy with secrets.env made from the example: the real one is never in the repository.
    const dir = mkdtempSync(join(tmpdir(), 'up-club-k8s-'));
    try {
      cpSync(join(ROOT, 'k8s'), join(dir, 'k8s'), { recursive: true });
      cpSync(join(ROOT, 'overlays', 'production'), join(dir, 'overlays', 'production'), {
        recursive: true,
      });
      writeFileSync(
        join(dir, 'overlays', 'production', 'secrets.env'),
        readRepoFile('overlays/production/secrets.env.example'),
      );

      const objects = kustomize(join(dir, 'overlays', 'production'));

      const secrets = objects.filter((o) => o.kind === 'Secret');
      expect(secrets.map((o) => [o.metadata.name, o.metadata.namespace])).toEqual([
        [SECRET_NAME, NAMESPACE],
      ]);
      const keys = Object.keys(secrets[0].data ?? {}).sort();
      const referenced = [...new Set(secretRefsOf(objects).map((ref) => ref.key))].sort();
      expect(keys).toEqual(referenced);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('overlays/production', () => {
  it('commits no secrets.env, and git ignores it', () => {
    expect(readdirSync(join(ROOT, 'overlays', 'production'))).not.toContain('secrets.env');
    // Exits non-zero (throws) when the path is not ignored.
    expect(() =>
      execFileSync('git', ['check-ignore', '-q', 'overlays/production/secrets.env'], { cwd: ROOT }),
    ).not.toThrow();
  });

  it('gives example values that are placeholders only', () => {
    const values = Object.entries(exampleSecrets());
    expect(values.length).toBeGreaterThan(0);
    for (const [key, value] of values) {
      expect({ key, placeholder: value === '' || value.includes('CHANGE_ME') }).toEqual({
        key,
        placeholder: true,
      });
    }
  });
});

describe('k8s network policies', () => {
  let objects: K8sObject[];
  let policies: K8sObject[];

  beforeAll(() => {
    objects = loadK8sObjects();
    policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  });

  /** The workloads (Deployments and the migrations Job) by name, with their pods' labels. */
  function workloads(): [string, Record<string, string>][] {
    return objects
      .filter((o) => o.kind === 'Deployment' || o.kind === 'Job')
      .map((o) => [o.metadata.name, o.spec?.template?.metadata?.labels ?? {}]);
  }

  function policiesFor(labels: Record<string, string>, type: 'Ingress' | 'Egress'): K8sObject[] {
    return policies.filter(
      (p) => selects(p.spec?.podSelector, labels) && (p.spec?.policyTypes ?? []).includes(type),
    );
  }

  /** The ports a pod may open connections to, from every policy that selects it. */
  function egressPorts(labels: Record<string, string>): (number | string)[] {
    const ports = policiesFor(labels, 'Egress').flatMap((p) =>
      (p.spec?.egress ?? []).flatMap((rule) =>
        (rule.ports ?? []).map((port) => port.port ?? 'any'),
      ),
    );
    return [...new Set(ports)].sort((a, b) => String(a).localeCompare(String(b)));
  }

  it('deny everything, in and out, to every pod of the namespace unless a policy opens it', () => {
    const deny = policies.find(
      (p) =>
        Object.keys(p.spec?.podSelector ?? { none: true }).length === 0 &&
        p.spec?.ingress === undefined &&
        p.spec?.egress === undefined,
    );
    expect(deny?.spec?.policyTypes).toEqual(expect.arrayContaining(['Ingress', 'Egress']));
  });

  it('select every Deployment and the migrations Job with a policy that opens something', () => {
    const names = workloads().map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining([...APPS, 'up-club-migrate']));
    for (const [name, labels] of workloads()) {
      const opening = policies.filter(
        (p) =>
          selects(p.spec?.podSelector, labels) &&
          Object.keys(p.spec?.podSelector ?? {}).length > 0 &&
          (p.spec?.ingress ?? p.spec?.egress) !== undefined,
      );
      expect({ name, selected: opening.length > 0 }).toEqual({ name, selected: true });
    }
  });

  it('let only the gateway and the bot take connections, from inside the cluster only', () => {
    // Beside the ops port, which every app opens to Prometheus (the test below).
    const takers = workloads()
      .filter(([, labels]) =>
        policiesFor(labels, 'Ingress').some((p) =>
          (p.spec?.ingress ?? []).some((rule) => (rule.ports ?? []).some((x) => x.port !== 'ops')),
        ),
      )
      .map(([name]) => name)
      .sort();
    expect(takers).toEqual(['bot', 'gateway']);
    for (const policy of policies) {
      for (const rule of policy.spec?.ingress ?? []) {
        // From named namespaces (the ingress controller, monitoring), never from any address.
        expect(rule.from?.length).toBeGreaterThan(0);
        for (const peer of rule.from ?? []) {
          expect(peer.ipBlock).toBeUndefined();
          expect(peer.namespaceSelector?.matchLabels).toBeDefined();
        }
        expect(rule.ports?.length).toBeGreaterThan(0);
      }
    }
  });

  it.each(APPS)(
    'let Prometheus (the monitoring namespace) alone reach the ops port of %s',
    (app) => {
      const labels = workloads().find(([name]) => name === app)?.[1] ?? {};
      const opsRules = policiesFor(labels, 'Ingress').flatMap((p) =>
        (p.spec?.ingress ?? []).filter((rule) => (rule.ports ?? []).some((x) => x.port === 'ops')),
      );
      expect(opsRules).toHaveLength(1);
      expect(opsRules[0].from?.map((peer) => peer.namespaceSelector?.matchLabels)).toEqual([
        { 'kubernetes.io/metadata.name': 'monitoring' },
      ]);
    },
  );

  it.each([
    ['gateway', [53, 6379]],
    ['users', [53, 5432, 6379]],
    ['auth-codes', [53, 5432, 6379]],
    ['events', [53, 5432, 6379]],
    ['bot', [443, 53, 6379]],
    ['up-club-migrate', [53, 5432]],
  ])('let %s reach ports %j only (DNS, Redis, PostgreSQL, Telegram)', (name, ports) => {
    const labels = workloads().find(([workload]) => workload === name)?.[1];
    expect(labels).toBeDefined();
    expect(egressPorts(labels ?? {})).toEqual(ports);
  });

  it('let the bot reach Telegram on public addresses only', () => {
    const bot = workloads().find(([name]) => name === 'bot')?.[1] ?? {};
    const https = policiesFor(bot, 'Egress').flatMap((p) =>
      (p.spec?.egress ?? []).filter((rule) => (rule.ports ?? []).some((port) => port.port === 443)),
    );
    expect(https).toHaveLength(1);
    const blocks = (https[0].to ?? []).map((peer) => peer.ipBlock);
    expect(blocks).toEqual([
      expect.objectContaining({
        cidr: '0.0.0.0/0',
        except: expect.arrayContaining(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16']),
      }),
    ]);
  });
});
