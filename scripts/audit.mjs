#!/usr/bin/env node
// Dependency advisories for CI: `npm audit` against the registry, failing on high and critical.
// Where the registry's advisory endpoint does not answer (a mirror or proxy that serves packages
// only), npm audit cannot run at all: that is reported loudly but does not fail the build, since
// it says nothing about the dependencies. The versions known to need a floor are then checked
// against the lockfile here, so a known-vulnerable copy cannot come back unnoticed.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Packages whose every installed copy must be at least this version (advisories fixed there). */
const FLOORS = {
  fastify: '5.12.2',
};

function compare(a, b) {
  const pa = a.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

let failed = false;
const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8'));
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  const name = path.split('node_modules/').pop();
  const floor = FLOORS[name];
  if (floor && entry.version && compare(entry.version, floor) < 0) {
    console.error(
      `${path}: ${name}@${entry.version} is below ${floor}, which fixes published advisories`,
    );
    failed = true;
  }
}

const audit = spawnSync('npm', ['audit', '--json', '--audit-level=high', '--omit=dev'], {
  encoding: 'utf8',
});
let report;
try {
  report = JSON.parse(audit.stdout);
} catch {
  report = undefined;
}
const counts = report?.metadata?.vulnerabilities;
if (!counts) {
  const reason = (report?.error?.summary ?? audit.stderr ?? '').split('\n')[0].trim();
  console.warn(
    `npm audit could not reach the registry's advisory endpoint (${reason || 'no answer'}); only the version floors were checked`,
  );
} else {
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  console.log(`npm audit: ${JSON.stringify(counts)}`);
  if (serious > 0) {
    console.error(`npm audit: ${serious} high or critical advisories in production dependencies`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
