import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './deploy-files';

describe('package-lock.json', () => {
  it('has an entry for every platform package, so npm ci accepts it on a clean clone', () => {
    const sut = spawnSync(process.execPath, ['scripts/lockfile-platforms.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // On failure: run `node scripts/lockfile-platforms.mjs` and commit package-lock.json.
    expect({ code: sut.status, missing: sut.stdout }).toEqual({ code: 0, missing: '' });
  });
});

describe('dependency floors', () => {
  it('installs one fastify for the whole tree, at a version with the published advisories fixed', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    const copies = Object.entries(lock.packages)
      .filter(([path]) => path === 'node_modules/fastify' || path.endsWith('/node_modules/fastify'))
      .map(([path, entry]) => `${path}@${entry.version}`);

    expect(copies).toHaveLength(1);
    const [major, minor, patch] = copies[0].split('@')[1].split('.').map(Number);
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(5_012_002);
  });
});
