import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Histogram, register, Summary } from 'prom-client';
import { parse } from 'yaml';
import { ensureDefaultMetrics } from '@up/health';
import { Platform, startPlatform } from '@up/testing';
import { ROOT } from './deploy-files';

/** Series Prometheus makes itself, not the apps. */
const PROMETHEUS_SERIES = new Set(['up']);

/** PromQL words that are not metric names. */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
]);

/**
 * The metric names an expression reads: what is left once strings, label matchers, ranges,
 * grouping clauses, Grafana variables and function calls are taken out. Deliberately simple: the
 * expressions here are ordinary PromQL, and a miss shows up as a name the test then reports.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\w+/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call || KEYWORDS.has(name)) continue;
    names.add(name);
  }
  return [...names];
}

interface Rules {
  spec: { groups: { rules: { alert?: string; record?: string; expr: string }[] }[] };
}

interface Dashboard {
  panels: { title: string; targets?: { expr: string }[] }[];
}

function alertExpressions(): [string, string][] {
  const rules = parse(readFileSync(join(ROOT, 'k8s/monitoring/prometheus-rules.yaml'), 'utf8'));
  return (rules as Rules).spec.groups.flatMap((group) =>
    group.rules.map(
      (rule) => [`alert ${rule.alert ?? rule.record}`, rule.expr] as [string, string],
    ),
  );
}

function dashboardExpressions(): [string, string][] {
  const text = readFileSync(join(ROOT, 'k8s/monitoring/grafana-dashboard.json'), 'utf8');
  return (JSON.parse(text) as Dashboard).panels.flatMap((panel) =>
    (panel.targets ?? []).map(
      (target) => [`panel "${panel.title}"`, target.expr] as [string, string],
    ),
  );
}

/** Every series name the registry can print: a histogram's metric is read as _bucket, _sum, _count. */
function exportedNames(): Set<string> {
  const names = new Set<string>();
  // The objects are the metric instances (the declared type is narrower than what is returned).
  for (const metric of register.getMetricsAsArray() as unknown[] as Array<{ name: string }>) {
    const { name } = metric;
    names.add(name);
    if (metric instanceof Histogram || metric instanceof Summary) {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`);
    }
  }
  return names;
}

describe('metricNamesIn', () => {
  it('finds the metric names and nothing else', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (route, le) (rate(http_request_duration_seconds_bucket{app="gateway", status_code=~"5.."}[$__rate_interval]))) / ignoring(x) other_total > 2 or vector(0)',
      ).sort(),
    ).toEqual(['http_request_duration_seconds_bucket', 'other_total']);
  });
});

/**
 * The alerts and the dashboard read only metrics the apps export. The names come from the
 * registry of the apps themselves: all five boot in this process (one prom-client registry, as
 * each app's /metrics serves it), so a metric renamed or removed in code fails here.
 */
describe('k8s/monitoring', () => {
  let platform: Platform;
  let exported: Set<string>;

  beforeAll(async () => {
    platform = await startPlatform({ telegram: {} });
    // What every app's ops port adds when it starts (main.ts: startOpsServer).
    ensureDefaultMetrics();
    exported = exportedNames();
  }, 90_000);

  afterAll(() => platform?.close());

  it('has alerts and dashboard panels to check', () => {
    expect(alertExpressions().length).toBeGreaterThanOrEqual(8);
    expect(dashboardExpressions().length).toBeGreaterThanOrEqual(15);
  });

  it('uses in alerts and the dashboard only metric names the apps export', () => {
    const unknown = [...alertExpressions(), ...dashboardExpressions()].flatMap(([where, expr]) =>
      metricNamesIn(expr)
        .filter((name) => !exported.has(name) && !PROMETHEUS_SERIES.has(name))
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});
