#!/usr/bin/env node
// Keeps package-lock.json installable with `npm ci` on every platform.
//
// Packages such as @swc/core ship their native binary as one optional dependency per platform.
// npm writes a lock entry only for the platform packages it could resolve when it wrote the lock,
// and `npm ci` later refuses a lock in which any optional dependency has no entry ("Missing: ...
// from lock file"). This adds the missing entries: optional, with the os/cpu/libc their names
// state, so npm skips them on every other platform and fetches them by version where they apply.
//
//   node scripts/lockfile-platforms.mjs          add missing entries (after an `npm install`)
//   node scripts/lockfile-platforms.mjs --check  exit 1 and list them, changing nothing
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LOCK = join(ROOT, 'package-lock.json');

const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd', 'openharmony', 'sunos', 'aix'];
const CPU = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'loong64', 'riscv64', 'wasm32'];

/** os/cpu/libc from a platform package's name (`@swc/core-linux-arm-gnueabihf`). */
export function platformOf(name) {
  const tokens = name.split('/').pop().split('-');
  const os = tokens.find((t) => OS.includes(t));
  const cpu = tokens.find((t) => CPU.includes(t));
  const libcToken = tokens.find((t) => /^(gnu|musl)/.test(t));
  if (!os && !cpu) return undefined;
  return {
    ...(cpu ? { cpu: [cpu] } : {}),
    ...(libcToken ? { libc: [libcToken.startsWith('musl') ? 'musl' : 'glibc'] } : {}),
    ...(os ? { os: [os] } : {}),
  };
}

/** Where Node would find `dependency` from the package at `location`, if the lock has it. */
function resolveIn(packages, location, dependency) {
  let dir = location;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${dependency}`;
    if (packages[candidate]) return candidate;
    if (!dir) return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent >= 0 ? dir.slice(0, parent) : '';
  }
}

export function missingPlatformEntries(lock) {
  const packages = lock.packages ?? {};
  const missing = [];
  for (const [location, entry] of Object.entries(packages)) {
    for (const [dependency, version] of Object.entries(entry.optionalDependencies ?? {})) {
      if (resolveIn(packages, location, dependency)) continue;
      const platform = platformOf(dependency);
      // Only exact versions of platform packages are filled in; anything else needs `npm install`.
      if (!platform || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
        missing.push({ location, dependency, version, fixable: false });
        continue;
      }
      const hoisted = `node_modules/${dependency}`;
      const target = packages[hoisted] ? `${location}/node_modules/${dependency}` : hoisted;
      missing.push({
        location,
        dependency,
        version,
        fixable: true,
        target,
        entry: {
          version,
          ...(entry.dev ? { dev: true } : {}),
          optional: true,
          ...platform,
        },
      });
    }
  }
  return missing;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
  const missing = missingPlatformEntries(lock);
  const check = process.argv.includes('--check');
  for (const item of missing) {
    process.stdout.write(
      `${item.fixable ? (check ? 'missing' : 'adding ') : 'CANNOT FIX'} ${item.dependency}@${item.version} (optional dependency of ${item.location || 'the root'})\n`,
    );
  }
  if (check || missing.some((item) => !item.fixable)) process.exit(missing.length > 0 ? 1 : 0);
  if (missing.length > 0) {
    for (const item of missing) lock.packages[item.target] = item.entry;
    // npm keeps the entries sorted by location.
    lock.packages = Object.fromEntries(
      Object.entries(lock.packages).sort(([a], [b]) =>
        a === '' ? -1 : b === '' ? 1 : a.localeCompare(b),
      ),
    );
    writeFileSync(LOCK, `${JSON.stringify(lock, null, 2)}\n`);
  }
  process.stdout.write(`package-lock.json: ${missing.length} platform entries added\n`);
}
