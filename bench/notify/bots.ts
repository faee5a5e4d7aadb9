import { ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { rssMegabytes } from '../lib';

const BOT_SCRIPT = resolve(process.cwd(), 'dist', 'apps', 'bot', 'apps', 'bot', 'src', 'main.js');

/**
 * The bot replicas of the benchmark, started here rather than by startBuiltPlatform so that they
 * can run with `--cpu-prof` (which NODE_OPTIONS refuses): the built bot, the platform's
 * environment, a consumer name each.
 */
export class BotReplicas {
  private readonly children: ChildProcess[] = [];
  private stopping = false;

  constructor(
    private readonly env: Record<string, string>,
    /** Given: each replica writes its CPU profile there when it exits. */
    private readonly profileDir?: string,
  ) {}

  start(count: number): void {
    for (let i = 0; i < count; i++) {
      const nodeArgs = this.profileDir
        ? ['--cpu-prof', `--cpu-prof-dir=${this.profileDir}`, '--enable-source-maps']
        : [];
      const child = spawn(process.execPath, [...nodeArgs, BOT_SCRIPT], {
        env: { ...process.env, ...this.env, BUS_CONSUMER_NAME: `bot-bench-${i}` },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('exit', (code, signal) => {
        if (!this.stopping)
          process.stderr.write(`bot-${i} exited early (code ${code}, signal ${signal})\n`);
      });
      this.children.push(child);
    }
  }

  /** RSS (MB) of each running replica, `bot-0`, `bot-1`, ... */
  rss(): Record<string, number> {
    const sizes: Record<string, number> = {};
    this.children.forEach((child, i) => {
      const mb = child.exitCode === null ? rssMegabytes(child.pid) : undefined;
      if (mb !== undefined) sizes[`bot-${i}`] = mb;
    });
    return sizes;
  }

  /** CPU time (user + system, seconds) each running replica has used so far, from /proc. */
  cpuSeconds(): Record<string, number> {
    const used: Record<string, number> = {};
    this.children.forEach((child, i) => {
      try {
        // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        used[`bot-${i}`] = (Number(fields[11]) + Number(fields[12])) / 100;
      } catch {
        // Not Linux, or the process is gone.
      }
    });
    return used;
  }

  /** SIGTERM (a graceful stop, which also writes the profiles), SIGKILL after 15 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  }

  /** The profiles the replicas wrote (after stop()). */
  profiles(): string[] {
    if (!this.profileDir) return [];
    const dir = this.profileDir;
    return readdirSync(dir)
      .filter((name) => name.endsWith('.cpuprofile'))
      .map((name) => join(dir, name));
  }
}
