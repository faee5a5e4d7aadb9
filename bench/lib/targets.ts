import { fmt, printTable } from './report';

/**
 * One figure an issue asks a benchmark to show: the measured value, the bound and whether it is
 * met. `at-least` targets are ratios or rates (higher is better), `at-most` ones times and sizes.
 */
export interface Target {
  target: string;
  measured: number | undefined;
  /** `>=` (at least) or `<=` (at most) `bound`. */
  op: '>=' | '<=';
  bound: number;
  unit?: string;
  met: boolean;
}

/** A target from its measured value; an unmeasured one (undefined, NaN) is never met. */
export function target(
  name: string,
  measured: number | undefined,
  op: Target['op'],
  bound: number,
  unit = '',
): Target {
  const known = measured !== undefined && Number.isFinite(measured);
  const met = known && (op === '>=' ? measured >= bound : measured <= bound);
  return { target: name, measured: known ? measured : undefined, op, bound, unit, met };
}

/** Prints the targets table whose last column says `met` or `NOT met` for each. */
export function printTargets(title: string, targets: Target[]): void {
  const withUnit = (value: number, unit = '') => `${fmt(value)}${unit ? ` ${unit}` : ''}`;
  printTable(
    title,
    targets.map((t) => ({
      target: t.target,
      measured: t.measured === undefined ? 'not measured' : withUnit(t.measured, t.unit),
      bound: `${t.op === '>=' ? '≥' : '≤'} ${withUnit(t.bound, t.unit)}`,
      result: t.met ? 'met' : 'NOT met',
    })),
  );
}
