import { parse, parseAllDocuments } from 'yaml';
import {
  APPS,
  AppName,
  BUS_SERVICES,
  Container,
  DATABASE_APPS,
  K8sObject,
  k8sFiles,
  loadK8sObjects,
  migratePathOf,
  readRepoFile,
  variablesOf,
} from './deploy-files';

const NAMESPACE = 'up-club';

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
    const manifests = k8sFiles().filter((file) => file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(manifests);
  });

  it('put everything in the up-club namespace', () => {
    expect(find(sut, 'Namespace', NAMESPACE)).toBeDefined();
    const elsewhere = sut
      .filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== NAMESPACE)
      .map((o) => `${o.kind}/${o.metadata.name}`);
    expect(elsewhere).toEqual([]);
  });

  it('hold placeholders only, never a real secret', () => {
    const secret = find(sut, 'Secret', 'up-club-secrets');
    const values = Object.entries(secret.stringData ?? {});
    expect(values.length).toBeGreaterThan(0);
    expect(secret.data).toBeUndefined();
    for (const [key, value] of values) {
      expect({ key, placeholder: value === '' || value.includes('CHANGE_ME') }).toEqual({
        key,
        placeholder: true,
      });
    }
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

  it('probe the gateway over HTTP: /health for liveness, /ready for readiness', () => {
    const container = containerOf(find(sut, 'Deployment', 'gateway'));
    const ports = (container.ports ?? []).map((port) => port.name);
    expect(container.livenessProbe?.httpGet?.path).toBe('/health');
    expect(container.readinessProbe?.httpGet?.path).toBe('/ready');
    expect(ports).toContain(container.livenessProbe?.httpGet?.port);
    expect(ports).toContain(container.readinessProbe?.httpGet?.port);
  });

  it.each([...BUS_SERVICES, 'bot'] as const)(
    'probe %s with the image healthcheck (it opens no port)',
    (app) => {
      const container = containerOf(find(sut, 'Deployment', app));
      for (const probe of [container.livenessProbe, container.readinessProbe]) {
        expect(probe?.exec?.command).toEqual(['node', 'scripts/healthcheck.mjs']);
        expect(probe?.timeoutSeconds).toBeGreaterThanOrEqual(4);
      }
      expect(container.ports ?? []).toEqual([]);
    },
  );

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
    for (const entry of container.env ?? []) {
      const ref = entry.valueFrom?.secretKeyRef;
      if (ref) {
        const secret = find(sut, 'Secret', ref.name);
        expect({ key: ref.key, exists: ref.key in (secret.stringData ?? {}) }).toEqual({
          key: ref.key,
          exists: true,
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

  it('keep a gateway running through voluntary disruptions', () => {
    const pdb = sut.find((o) => o.kind === 'PodDisruptionBudget');
    expect(pdb?.apiVersion).toBe('policy/v1');
    expect(
      matches(
        pdb?.spec?.selector?.matchLabels,
        find(sut, 'Deployment', 'gateway').spec?.template?.metadata?.labels,
      ),
    ).toBe(true);
    expect(pdb?.spec?.minAvailable ?? pdb?.spec?.maxUnavailable).toBeDefined();
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
    expect(kustomization.patches.map((p) => p.path).sort()).toEqual([
      'bot-webhook-mode.yaml',
      'webhook-secret.yaml',
    ]);
  });

  it('sets the webhook variables the bot reads, its secret from the Secret', () => {
    expect(patch.kind).toBe('Deployment');
    expect(patch.metadata.name).toBe('bot');
    const known = variablesOf('bot');
    expect([...env.keys()].filter((name) => !known.has(name))).toEqual([]);
    expect([...env.keys()]).toEqual(
      expect.arrayContaining(['TELEGRAM_WEBHOOK_URL', 'TELEGRAM_WEBHOOK_SECRET', 'BOT_HTTP_PORT']),
    );
    const ref = env.get('TELEGRAM_WEBHOOK_SECRET')?.valueFrom?.secretKeyRef;
    const [secret] = objectsOf('webhook-secret.yaml');
    expect(secret.metadata.name).toBe(ref?.name);
    expect(secret.stringData?.[ref?.key ?? '']).toContain('CHANGE_ME');
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
