/**
 * Every app sets up error tracking before anything else loads: main.ts's first statement imports
 * `./instrument`, which initialises it under the app's own name. A module imported before it would
 * run (and could fail) unwatched.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import { APPS } from '../deploy/deploy-files';

const ROOT = join(__dirname, '..', '..');

function statementsOf(path: string): readonly ts.Statement[] {
  const file = join(ROOT, path);
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022).statements;
}

describe('instrument.ts comes first', () => {
  it.each(APPS)("%s's main.ts imports ./instrument before anything else", (app) => {
    const [first] = statementsOf(`apps/${app}/src/main.ts`);

    const specifier =
      ts.isImportDeclaration(first) && !first.importClause
        ? (first.moduleSpecifier as ts.StringLiteral).text
        : undefined;

    expect(specifier).toBe('./instrument');
  });

  it.each(APPS)("%s's instrument.ts starts error tracking under the app's name", (app) => {
    const source = readFileSync(join(ROOT, `apps/${app}/src/instrument.ts`), 'utf8');

    expect(source).toContain(`initErrorTracking({ app: '${app}' })`);
  });
});
