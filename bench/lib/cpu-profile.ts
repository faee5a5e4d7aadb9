import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Cell, printTable } from './report';

/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time: self time per function and per
 * place (a package under node_modules, a node: internal, or a file of this repository), as shares
 * of the sampled time. Written by hand because the profile format is a plain JSON node tree and
 * the summary a benchmark wants (by package, in a text table) is what no profile viewer prints.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileSummary {
  file: string;
  sampledMs: number;
  byPlace: Array<{ place: string; share: number }>;
  byFunction: Array<{ fn: string; place: string; share: number }>;
}

/** `node_modules/<pkg>` (scoped too), `node:<internal>`, a repository path, or a V8 bucket. */
export function placeOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return url;
  const dist = url.match(/\/(apps|libs|bench)\/.*$/);
  return dist ? dist[0].slice(1).replace(/^(apps|libs)\/[^/]+\/(apps|libs)\//, '$2/') : url;
}

/**
 * Summarises one profile: the `top` places and functions by self time. `fromMs` leaves out the
 * samples of the profile's first milliseconds (a service's start, when only its load matters).
 */
export function summarizeProfile(file: string, top = 12, fromMs = 0): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  const deltas = profile.timeDeltas;
  if (profile.samples && deltas) {
    // A sample's time is the gap to the next one; deltas[i] is the gap before sample i.
    let atUs = 0;
    profile.samples.forEach((id, i) => {
      atUs += deltas[i] ?? 0;
      if (atUs < fromMs * 1000) return;
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, deltas[i + 1] ?? 0));
    });
  } else {
    for (const node of profile.nodes) selfUs.set(node.id, node.hitCount ?? 0);
  }
  let total = 0;
  const places = new Map<string, number>();
  const functions = new Map<string, { fn: string; place: string; us: number }>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)' || functionName === '(program)') continue;
    total += us;
    const place = placeOf(url, functionName);
    places.set(place, (places.get(place) ?? 0) + us);
    const key = `${functionName}|${url}|${lineNumber}`;
    const entry = functions.get(key) ?? {
      fn: `${functionName || '(anonymous)'}${url ? `:${lineNumber + 1}` : ''}`,
      place,
      us: 0,
    };
    entry.us += us;
    functions.set(key, entry);
  }
  const share = (us: number) => (total > 0 ? us / total : 0);
  return {
    file,
    sampledMs: total / 1000,
    byPlace: [...places]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([place, us]) => ({ place, share: share(us) })),
    byFunction: [...functions.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, top)
      .map(({ fn, place, us }) => ({ fn, place, share: share(us) })),
  };
}

/** The newest `.cpuprofile` written to `dir` after `since` (ms since the epoch), if any. */
export function newestProfile(dir: string, since = 0): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
  } catch {
    return undefined;
  }
  return names
    .map((name) => ({ path: join(dir, name), at: statSync(join(dir, name)).mtimeMs }))
    .filter((file) => file.at >= since)
    .sort((a, b) => b.at - a.at)[0]?.path;
}

/** Prints a summary as two tables (busy time, excluding idle, by place and by function). */
export function printProfileSummary(title: string, summary: ProfileSummary): void {
  const pct = (share: number): Cell => `${(share * 100).toFixed(1)}%`;
  printTable(
    `${title}: self time by place (${summary.sampledMs.toFixed(0)} ms busy, ${summary.file})`,
    summary.byPlace.map((row) => ({ place: row.place, self: pct(row.share) })),
  );
  printTable(
    `${title}: self time by function`,
    summary.byFunction.map((row) => ({ function: row.fn, place: row.place, self: pct(row.share) })),
  );
}
