import {
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
} from '@nestjs/common';
import { BackgroundLoop } from './background-loop';

export interface PeriodicSweepOptions {
  /** Names the sweep in its log lines ("merge sweep failed; retrying"). */
  name: string;
  /** The wait before each round, the first included. 0 or less: the sweep never runs. */
  intervalMs: number;
  /**
   * The Nest hook that stops it: `module-destroy` runs before any `application-shutdown` hook,
   * where connections close.
   */
  stopOn: 'module-destroy' | 'application-shutdown';
}

/**
 * A provider that runs `round()` in a BackgroundLoop on every replica: the first round one
 * interval after bootstrap, then one per interval; stopping lets the round in progress finish.
 */
export abstract class PeriodicSweep
  implements OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  /** Carries the concrete class's name, as `new Logger(Class.name)` would. */
  protected readonly logger = new Logger(this.constructor.name);
  private readonly loop: BackgroundLoop;
  private readonly stopOn: PeriodicSweepOptions['stopOn'];

  protected constructor(options: PeriodicSweepOptions) {
    this.stopOn = options.stopOn;
    this.loop = new BackgroundLoop({
      name: options.name,
      logger: this.logger,
      intervalMs: options.intervalMs,
      firstRound: 'after-interval',
      step: async () => {
        await this.round();
      },
    });
  }

  /** One round of the sweep; what it answers is ignored here. */
  protected abstract round(): Promise<unknown>;

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.stopOn === 'module-destroy') await this.loop.stop();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.stopOn === 'application-shutdown') await this.loop.stop();
  }
}
