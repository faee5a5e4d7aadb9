import { APPS, readRepoFile, variablesOf } from './deploy-files';

/** README.md is what a newcomer runs first: its commands and its configuration table stay true. */
describe('README.md', () => {
  const sut = readRepoFile('README.md');
  const scripts = (JSON.parse(readRepoFile('package.json')) as { scripts: Record<string, string> })
    .scripts;

  it('gives the two quick-start commands, and they are what npm start and .ci/run use', () => {
    expect(sut).toContain('npm ci && npm start');
    expect(sut).toMatch(/^npm test\b/m);
    expect(scripts.start).toBe('node scripts/start.mjs');
    expect(scripts.test).toMatch(/^nx run-many -t test\b/);
    // CI runs exactly the test command the README gives.
    expect(readRepoFile('.ci/run')).toMatch(/^npm test( 2>&1 \| tee "\$log")?$/m);
  });

  it('draws the architecture as a mermaid diagram naming every app', () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(sut)?.[1] ?? '';
    for (const app of APPS) expect(diagram).toContain(app);
    expect(diagram).toMatch(/Redis Streams/);
    expect(diagram).toMatch(/PostgreSQL/);
  });

  it.each(APPS)('documents every variable %s reads in the configuration table', (app) => {
    const documented = new Set(
      [...sut.matchAll(/^\|\s*`([A-Z][A-Z0-9_]+)`/gm)].map((match) => match[1]),
    );
    const missing = [...variablesOf(app)].filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('names only npm scripts that exist', () => {
    const named = [...sut.matchAll(/npm run ([a-z][\w:-]*)(?![\w:*-])/g)].map((match) => match[1]);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !(name in scripts))).toEqual([]);
  });
});
