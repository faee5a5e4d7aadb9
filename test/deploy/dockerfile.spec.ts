import { APPS, mainPathOf, readRepoFile, repoFileExists } from './deploy-files';

interface Stage {
  name: string;
  lines: string[];
}

/** The Dockerfile's stages with their instructions (continuation lines joined). */
function stagesOf(dockerfile: string): Stage[] {
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0 && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of instructions) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ name: from[1] ?? `stage${stages.length}`, lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

describe('Dockerfile', () => {
  const sut = stagesOf(readRepoFile('Dockerfile'));
  const stage = (name: string): Stage => {
    const found = sut.find((s) => s.name === name);
    if (!found) throw new Error(`no stage ${name}`);
    return found;
  };

  it('runs on Node 24 LTS, the production runtime', () => {
    expect(readRepoFile('Dockerfile')).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m);
  });

  it('installs, builds and runs in separate stages', () => {
    expect(sut.map((s) => s.name)).toEqual(
      expect.arrayContaining(['deps', 'build', 'prod-deps', 'runtime']),
    );
    expect(stage('deps').lines.join('\n')).toMatch(/npm ci/);
    expect(stage('prod-deps').lines.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(stage('build').lines.join('\n')).toMatch(/nx run-many -t build/);
  });

  it('builds every app in the shared build stage', () => {
    const build = stage('build').lines.join('\n');
    for (const app of APPS) expect(build).toContain(app);
  });

  it('runs the app chosen by APP, unprivileged, in production mode, with a healthcheck', () => {
    const runtime = stage('runtime').lines;
    expect(runtime).toContain('ARG APP');
    expect(runtime.find((l) => l.startsWith('ENV'))).toMatch(/NODE_ENV=production/);
    expect(runtime.find((l) => l.startsWith('USER'))).toMatch(/^USER (node|\d+)/);
    expect(runtime.find((l) => l.startsWith('HEALTHCHECK'))).toContain('scripts/healthcheck.mjs');
    const cmd = runtime.find((l) => l.startsWith('CMD')) ?? '';
    expect(cmd).toContain(`exec node`);
    expect(cmd).toContain(mainPathOf('$APP'));
  });

  it('runs node with the flags npm start and the benchmarks use (scripts/lib/app-node-flags.json)', () => {
    const flags = JSON.parse(readRepoFile('scripts/lib/app-node-flags.json')) as string[];
    expect(flags).toContain('--max-semi-space-size=8');
    const cmd = stage('runtime').lines.find((l) => l.startsWith('CMD')) ?? '';
    expect(cmd).toContain(`exec node ${flags.join(' ')} ${mainPathOf('$APP')}`);
    expect(readRepoFile('scripts/start.mjs')).toContain("'./lib/app-node-flags.json'");
  });

  it('copies only files that exist and that .dockerignore lets in', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0 && !line.startsWith('#'));
    const sources = sut
      .flatMap((s) => s.lines)
      .filter((line) => line.startsWith('COPY') && !line.includes('--from='))
      .flatMap((line) => line.split(/\s+/).slice(1, -1))
      .filter((word) => !word.startsWith('--'));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: repoFileExists(source) }).toEqual({ source, exists: true });
      const top = source.split('/')[0];
      expect({ source, ignored: ignored.includes(source) || ignored.includes(top) }).toEqual({
        source,
        ignored: false,
      });
    }
  });

  it('keeps node_modules, build output, git and .env out of the build context', () => {
    const ignored = readRepoFile('.dockerignore');
    for (const entry of ['node_modules', 'dist', '.git', '.env']) {
      expect(ignored).toMatch(new RegExp(`^(\\*\\*/)?${entry.replace('.', '\\.')}$`, 'm'));
    }
  });
});
