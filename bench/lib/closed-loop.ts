import { elapsedMs, LatencyRecorder, LatencySummary } from './latency';

export interface ClosedLoopResult {
  concurrency: number;
  durationMs: number;
  requests: number;
  errors: number;
  /** Successful round trips per second. */
  throughput: number;
  /**
   * CPU time this process spent per successful call, in microseconds (user + system, over the
   * measured window). Steadier than throughput on a shared machine.
   */
  cpuPerCallUs: number;
  latency: LatencySummary;
  firstError?: string;
}

/**
 * Closed-loop load: `concurrency` workers, each sending its next call as soon as the previous one
 * finished, for `durationMs` after a warm-up whose samples are dropped. Latency is per call.
 */
export async function runClosedLoop(args: {
  concurrency: number;
  durationMs: number;
  warmupMs?: number;
  call: (worker: number, n: number) => Promise<unknown>;
  /** Pass one recorder to several runs to pool their samples (interleaved rounds). */
  recorder?: LatencyRecorder;
}): Promise<ClosedLoopResult> {
  const { concurrency, durationMs, call } = args;
  const warmupMs = args.warmupMs ?? 1000;
  const recorder = args.recorder ?? new LatencyRecorder();
  const before = recorder.count;
  let errors = 0;
  let firstError: string | undefined;
  let measuring = false;
  let stopped = false;

  const worker = async (id: number): Promise<void> => {
    for (let n = 0; !stopped; n++) {
      const start = process.hrtime.bigint();
      try {
        await call(id, n);
        if (measuring && !stopped) recorder.record(elapsedMs(start));
      } catch (error) {
        if (measuring && !stopped) {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
      }
    }
  };

  const workers = Array.from({ length: concurrency }, (_, id) => worker(id));
  await sleep(warmupMs);
  measuring = true;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  await sleep(durationMs);
  stopped = true;
  const cpu = process.cpuUsage(cpuBefore);
  const measuredMs = elapsedMs(started);
  await Promise.all(workers);

  return {
    concurrency,
    durationMs: Math.round(measuredMs),
    requests: recorder.count - before,
    errors,
    throughput: (recorder.count - before) / (measuredMs / 1000),
    cpuPerCallUs: (cpu.user + cpu.system) / Math.max(1, recorder.count - before),
    latency: recorder.summary(before),
    ...(firstError ? { firstError } : {}),
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Several runs of one scenario as one: requests and time summed, latency samples pooled. */
export function pooled(runs: ClosedLoopResult[], recorder: LatencyRecorder): ClosedLoopResult {
  const requests = runs.reduce((sum, run) => sum + run.requests, 0);
  const durationMs = runs.reduce((sum, run) => sum + run.durationMs, 0);
  const firstError = runs.find((run) => run.firstError)?.firstError;
  return {
    concurrency: runs[0]?.concurrency ?? 0,
    durationMs,
    requests,
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    throughput: requests / (durationMs / 1000),
    cpuPerCallUs:
      runs.reduce((sum, run) => sum + run.cpuPerCallUs * run.requests, 0) / Math.max(1, requests),
    latency: recorder.summary(),
    ...(firstError ? { firstError } : {}),
  };
}
