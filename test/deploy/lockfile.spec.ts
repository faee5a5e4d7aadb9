import { spawnSync } from 'node:child_process';
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
