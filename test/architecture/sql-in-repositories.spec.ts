/**
 * SQL lives in repositories: every SQL statement and TypeORM query of an app is in a
 * `*.repository.ts` class (or a migration); services keep the rules and call repositories by
 * intent. `libs/database` holds the shared toolkit and is not scanned.
 *
 * Run alone: npx jest -c test/jest.config.cjs test/architecture/sql-in-repositories.spec.ts
 *
 * The scan reads each file's syntax tree, so comments and ordinary method names (a service's own
 * `update()`, `hash.update()`, `this.members.insert(tx, ...)` on a repository) do not count; what
 * counts is TypeORM's API and SQL text.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');

/** Files where data access belongs, or that are not application code. */
const EXEMPT_FILE =
  /(\.repository|\.datasource|\.spec|\.integration-spec|\.e2e-spec)\.ts$|(^|\/)migrations\//;

/** Names that exist only on TypeORM's EntityManager, Repository or DataSource. */
const TYPEORM_ONLY_METHODS = new Set([
  'createQueryBuilder',
  'getRepository',
  'findOneBy',
  'findOneByOrFail',
  'findOneOrFail',
  'findBy',
  'findAndCount',
  'findAndCountBy',
  'countBy',
  'existsBy',
]);

/**
 * EntityManager / Repository methods whose names a repository of ours may also use: they count
 * only when called on a TypeORM object or with an entity class as first argument.
 */
const TYPEORM_METHODS = new Set([
  'find',
  'findOne',
  'count',
  'exists',
  'insert',
  'update',
  'delete',
  'save',
  'upsert',
  'remove',
  'softDelete',
  'restore',
  'increment',
  'decrement',
]);

/** Receivers that are TypeORM objects by the names the apps give them. */
const TYPEORM_RECEIVER =
  /^(manager|entityManager|\w+Manager|dataSource|\w+DataSource|queryRunner)$/;

/** The toolkit's raw-query helpers: repositories use them, services do not. */
const RAW_QUERY_HELPERS = new Set(['queryRows', 'queryOne']);

/**
 * SQL as the apps write it, keywords in capitals: case-sensitive, so prose in messages ("select an
 * event from the list") is not mistaken for a statement.
 */
const SQL_TEXT = [
  /\bSELECT\b[\s\S]*\bFROM\b/,
  /\bUPDATE\s+[\w."]+\s+SET\b/,
  /\bINSERT\s+INTO\b/,
  /\bDELETE\s+FROM\b/,
];

/** Stands for a template's `${...}` when its text is matched (`UPDATE ${TABLE} SET`). */
const SUBSTITUTION = 'x';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function appSourceFiles(): string[] {
  const apps = join(ROOT, 'apps');
  return readdirSync(apps, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => sourceFiles(join(apps, entry.name, 'src')))
    .map((path) => relative(ROOT, path))
    .filter((path) => !EXEMPT_FILE.test(path))
    .sort();
}

/** The last name of a receiver: `manager` for `this.events.manager`, `members` for `this.members`. */
function receiverName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

/** Properties holding a TypeORM Repository: `@InjectRepository(X) private readonly events: ...`. */
function injectedRepositories(source: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (
      (ts.isParameter(node) || ts.isPropertyDeclaration(node)) &&
      ts.isIdentifier(node.name) &&
      ts.getDecorators(node)?.some((decorator) => decoratorName(decorator) === 'InjectRepository')
    ) {
      names.add(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

function decoratorName(decorator: ts.Decorator): string | undefined {
  const call = decorator.expression;
  return ts.isCallExpression(call) && ts.isIdentifier(call.expression)
    ? call.expression.text
    : undefined;
}

function isEntityClass(argument: ts.Expression | undefined): boolean {
  return argument !== undefined && ts.isIdentifier(argument) && /Entity$/.test(argument.text);
}

function stringText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) {
    return [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(
      SUBSTITUTION,
    );
  }
  return undefined;
}

/** What in one file is data access: `<path>:<line>: <what>`, one entry per line. */
function dataAccessIn(path: string, text = readFileSync(join(ROOT, path), 'utf8')): string[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const repositories = injectedRepositories(source);
  const found = new Map<number, string>();
  const flag = (node: ts.Node, what: string) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    if (!found.has(line)) found.set(line, what);
  };

  const visit = (node: ts.Node): void => {
    if (ts.isDecorator(node) && decoratorName(node) === 'InjectRepository') {
      flag(node, '@InjectRepository (a TypeORM repository)');
    }
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isIdentifier(callee) && RAW_QUERY_HELPERS.has(callee.text)) {
        flag(node, `${callee.text}()`);
      }
      if (ts.isPropertyAccessExpression(callee)) {
        const method = callee.name.text;
        const receiver = receiverName(callee.expression);
        const onTypeOrm =
          receiver !== undefined && (TYPEORM_RECEIVER.test(receiver) || repositories.has(receiver));
        if (method === 'query' || TYPEORM_ONLY_METHODS.has(method)) {
          flag(node, `.${method}()`);
        } else if (TYPEORM_METHODS.has(method) && (onTypeOrm || isEntityClass(node.arguments[0]))) {
          flag(node, `${receiver ?? '(expression)'}.${method}()`);
        }
      }
    }
    const sql = stringText(node);
    if (sql !== undefined && SQL_TEXT.some((pattern) => pattern.test(sql))) {
      flag(node, 'SQL text');
    }
    // A template's spans are strings of their own; they were read with the whole template.
    if (!ts.isTemplateExpression(node)) ts.forEachChild(node, visit);
    else node.templateSpans.forEach((span) => visit(span.expression));
  };
  visit(source);
  return [...found.entries()]
    .sort(([a], [b]) => a - b)
    .map(([line, what]) => `${path}:${line}: ${what}`);
}

describe('SQL lives in repositories', () => {
  const files = appSourceFiles();

  it('tells data access from ordinary calls of the same names', () => {
    const sample = [
      'class MembersService {',
      '  constructor(@InjectRepository(MemberEntity) private readonly rows: Repository<M>) {}',
      '  async run(manager: EntityManager) {',
      '    await this.members.insert(tx, input);', // a repository of ours
      '    await this.update(dto);', // the service's own method
      "    createHash('sha256').update(secret);",
      '    this.pending.delete(memberId);',
      "    const note = 'Select an event from the list';", // prose, not SQL
      '    // one conditional UPDATE members SET ... (a comment)',
      '    await manager.findOne(MemberEntity, { where: { id } });',
      '    await this.rows.update({ id }, { role });',
      '    await repository.save(MemberEntity, row);',
      '    await this.dataSource.query(sql);',
      '    await queryRows(manager, `UPDATE ${TABLE} SET x = 1`);',
      '  }',
      '}',
    ].join('\n');

    expect(dataAccessIn('sample.ts', sample)).toEqual([
      'sample.ts:2: @InjectRepository (a TypeORM repository)',
      'sample.ts:10: manager.findOne()',
      'sample.ts:11: rows.update()',
      'sample.ts:12: repository.save()',
      'sample.ts:13: .query()',
      'sample.ts:14: queryRows()',
    ]);
  });

  it('scans the apps', () => {
    expect(files.length).toBeGreaterThan(20);
    expect(files.some((path) => path.endsWith('.service.ts'))).toBe(true);
  });

  it('finds no SQL and no TypeORM query outside *.repository.ts files and migrations', () => {
    expect(files.flatMap((path) => dataAccessIn(path))).toEqual([]);
  });
});
