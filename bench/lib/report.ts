import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { join, relative, resolve } from 'node:path';

export type Cell = string | number;

/** Formats a number for a table: integers as is, others with `digits` decimals. */
export function fmt(value: number, digits = 2): string {
  if (!Number.isFinite(value)) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** A plain-text table (numbers right-aligned), written to stdout. */
export function printTable(title: string, rows: Array<Record<string, Cell>>): void {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const text = (cell: Cell | undefined): string =>
    typeof cell === 'number' ? fmt(cell) : (cell ?? '');
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => text(row[column]).length)),
  );
  const line = (cells: string[], numeric: boolean[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ');
  const numeric = columns.map((column) => rows.every((row) => typeof row[column] === 'number'));
  const out = [
    '',
    title,
    line(columns, numeric),
    widths.map((width) => '-'.repeat(width)).join('  '),
    ...rows.map((row) =>
      line(
        columns.map((column) => text(row[column])),
        numeric,
      ),
    ),
    '',
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

/**
 * Where benchmark results go (gitignored JSON files). From the working directory, not __dirname:
 * benchmarks run compiled from dist/, and npm scripts run at the repository root.
 */
export const RESULTS_DIR = resolve(process.cwd(), 'bench', 'results');

/**
 * Writes `bench/results/<name>-<timestamp>.json` and `<name>-latest.json`, with the machine it ran
 * on; returns the timestamped path, relative to the working directory.
 */
export function writeResults(name: string, results: unknown, dir = RESULTS_DIR): string {
  mkdirSync(dir, { recursive: true });
  const document = {
    name,
    at: new Date().toISOString(),
    machine: {
      host: hostname(),
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      node: process.version,
      // The machine's own Node when the benchmark ran on another (scripts/on-node24.sh).
      machineNode: process.env.BENCH_MACHINE_NODE ?? process.version,
    },
    results,
  };
  const json = `${JSON.stringify(document, null, 2)}\n`;
  const stamp = document.at.replace(/[:.]/g, '-');
  const path = join(dir, `${name}-${stamp}.json`);
  writeFileSync(path, json);
  writeFileSync(join(dir, `${name}-latest.json`), json);
  return relative(process.cwd(), path);
}

/** The runtime line every benchmark prints first: the Node it runs on and the machine's. */
export function printRuntime(): void {
  const machine = process.env.BENCH_MACHINE_NODE ?? process.version;
  process.stdout.write(
    `Node ${process.version} (machine's Node: ${machine}), ${cpus().length} CPUs: ${cpus()[0]?.model ?? 'unknown'}\n`,
  );
}

/** `--name value` from the command line, or the default. */
export function argValue(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] !== undefined ? process.argv[index + 1] : fallback;
}
