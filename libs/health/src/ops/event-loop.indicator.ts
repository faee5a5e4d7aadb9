import { monitorEventLoopDelay, IntervalHistogram } from 'node:perf_hooks';
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/**
 * Above this mean delay since the previous check, the event loop is too starved to serve: the
 * process is alive but useless, and a restart is what helps. Far above any healthy value (a few
 * milliseconds), so a busy replica is never restarted for being busy.
 */
export const EVENT_LOOP_DELAY_LIMIT_MS = 1000;

/**
 * Liveness: the event loop's delay, measured continuously (perf_hooks' histogram, sampled every
 * 20 ms, no timer of ours) and judged over the window since the last check. Terminus has no such
 * indicator.
 */
@Injectable()
export class EventLoopHealthIndicator implements OnApplicationShutdown {
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly indicators: HealthIndicatorService) {
    this.delay.enable();
  }

  onApplicationShutdown(): void {
    this.delay.disable();
  }

  check(key = 'event_loop'): HealthIndicatorResult {
    const check = this.indicators.check(key);
    // The histogram is in nanoseconds; an empty window (checked twice within 20 ms) reads NaN.
    const meanMs = Number.isFinite(this.delay.mean) ? this.delay.mean / 1e6 : 0;
    const maxMs = this.delay.max / 1e6;
    this.delay.reset();
    const details = { meanDelayMs: Math.round(meanMs), maxDelayMs: Math.round(maxMs) };
    return meanMs > EVENT_LOOP_DELAY_LIMIT_MS
      ? check.down({
          message: `event loop delayed ${Math.round(meanMs)} ms on average (limit ${EVENT_LOOP_DELAY_LIMIT_MS} ms)`,
          ...details,
        })
      : check.up(details);
  }
}
