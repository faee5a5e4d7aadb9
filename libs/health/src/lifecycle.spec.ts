import { Writable } from 'node:stream';
import pino from 'pino';
import { ConfigError } from '@up/config';
import { exitAfterShutdownTimeout, runCommand, runMain } from './lifecycle';

/** A pino logger whose lines the test can read. */
function newTestLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ base: null, messageKey: 'msg' }, stream), lines };
}

/**
 * Delivers a stop signal to the listeners registered on `process`. Not `process.emit`: under Nx's
 * Jest executor `process.emit` is wrapped to reach the real process object, which is not the one
 * Jest gives each test file, so the listener the test registered would never hear it.
 */
function signal(name: 'SIGTERM' | 'SIGINT'): void {
  for (const listener of process.listeners(name)) listener(name);
}

describe('process lifecycle', () => {
  let exit: jest.SpyInstance;

  beforeEach(() => {
    exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  });

  afterEach(() => {
    jest.restoreAllMocks();
    jest.useRealTimers();
    process.removeAllListeners('SIGTERM');
    process.removeAllListeners('SIGINT');
  });

  describe(runMain.name, () => {
    it('stops with exit code 1 and names the variable when the configuration is bad', async () => {
      const { logger, lines } = newTestLogger();

      await runMain(
        'users',
        async () => {
          throw new ConfigError(['DATABASE_URL must be a postgres:// URL (got "mysql://x")']);
        },
        { logger },
      );

      expect(exit).toHaveBeenCalledWith(1);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 60,
          problems: ['DATABASE_URL must be a postgres:// URL (got "mysql://x")'],
          msg: expect.stringContaining('DATABASE_URL'),
        }),
      ]);
    });

    it('stops with exit code 1 and the reason when start-up fails', async () => {
      const { logger, lines } = newTestLogger();

      await runMain(
        'events',
        async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')),
        {
          logger,
        },
      );

      expect(exit).toHaveBeenCalledWith(1);
      expect(lines[0]).toMatchObject({
        level: 60,
        msg: 'events failed: connect ECONNREFUSED 127.0.0.1:5432',
      });
    });

    it('keeps running once started, and arms the shutdown deadline', async () => {
      const { logger } = newTestLogger();

      await runMain('gateway', async () => ({ shutdownTimeoutSeconds: 10 }), { logger });

      expect(exit).not.toHaveBeenCalled();
      expect(process.listenerCount('SIGTERM')).toBe(1);
      expect(process.listenerCount('SIGINT')).toBe(1);
    });
  });

  describe(exitAfterShutdownTimeout.name, () => {
    it('exits with 1 when shutting down takes longer than the timeout', () => {
      jest.useFakeTimers();
      const { logger, lines } = newTestLogger();
      exitAfterShutdownTimeout({ logger, seconds: 10 });

      signal('SIGTERM');
      jest.advanceTimersByTime(9_999);
      expect(exit).not.toHaveBeenCalled();

      jest.advanceTimersByTime(1);
      expect(exit).toHaveBeenCalledWith(1);
      expect(lines.map((line) => line.msg)).toEqual([
        'stop signal received, shutting down',
        'shutdown timed out, exiting',
      ]);
    });

    it('does not hold the process open: a clean shutdown exits on its own first', () => {
      jest.useFakeTimers();
      const { logger } = newTestLogger();
      const setTimeoutSpy = jest.spyOn(global, 'setTimeout');
      exitAfterShutdownTimeout({ logger, seconds: 3 });

      signal('SIGINT');

      const timer = setTimeoutSpy.mock.results[0]?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
    });
  });

  describe(runCommand.name, () => {
    it('exits 0 after the task', async () => {
      const { logger } = newTestLogger();
      const task = jest.fn(async () => undefined);

      await runCommand('users-migrate', task, { logger });

      expect(task).toHaveBeenCalledWith(logger);
      expect(exit).toHaveBeenCalledWith(0);
    });

    it('exits 1 with the reason when the task fails', async () => {
      const { logger, lines } = newTestLogger();

      await runCommand('users-migrate', async () => Promise.reject(new Error('lock timeout')), {
        logger,
      });

      expect(exit).toHaveBeenCalledWith(1);
      expect(exit).not.toHaveBeenCalledWith(0);
      expect(lines[0]).toMatchObject({ level: 60, msg: 'users-migrate failed: lock timeout' });
    });
  });
});
