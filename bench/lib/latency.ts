/** Latency statistics of a benchmark run, in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Collects samples cheaply (a growable Float64Array) and summarizes them once at the end. */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private length = 0;

  record(ms: number): void {
    if (this.length === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.length++] = ms;
  }

  get count(): number {
    return this.length;
  }

  /** Summary of all samples, or of those recorded since sample number `from`. */
  summary(from = 0): LatencySummary {
    const sorted = this.samples.slice(from, this.length).sort();
    let total = 0;
    for (const value of sorted) total += value;
    return {
      count: sorted.length,
      mean: sorted.length ? total / sorted.length : Number.NaN,
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
    };
  }
}

/** Milliseconds since `start` (a `process.hrtime.bigint()` reading), with sub-ms precision. */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
