/**
 * Account timing (`npm run bench:account`): does the time of an answer tell a registered email
 * from an unknown one? Register (a new email vs a taken one), login (wrong password for a known
 * email vs an unknown email) and forgot-password (known vs unknown), 20 sequential runs each
 * (after 3 warm-up runs), through the real gateway, users and auth-codes apps in this process
 * (real SMTP to an in-process server). Prints median and p90 per case; not an assertion.
 *
 *   npm run bench:account [-- --runs 20]
 */
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { apiClient, startTestMailServer } from '@up/testing';
import { argValue, printRuntime, startBuiltPlatform } from './lib';

const runs = Number(argValue('runs', '20'));
const WARMUP = 3;

/** The gateway's /ready also checks the events service, which this benchmark does not run. */
function readyWithoutEvents(_status: number, body: string): boolean {
  try {
    const { checks } = JSON.parse(body) as { checks?: Record<string, { status: string }> };
    return ['redis', 'users', 'auth-codes'].every((name) => checks?.[name]?.status === 'up');
  } catch {
    return false;
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function main(): Promise<void> {
  printRuntime();
  const smtp = await startTestMailServer();
  const lots = '100000';
  const platform = await startBuiltPlatform({
    name: 'account',
    services: ['users', 'auth-codes'],
    ready: readyWithoutEvents,
    env: {
      LOG_LEVEL: 'warn',
      SMTP_URL: smtp.url,
      RATE_LIMIT_REGISTER_PER_MINUTE: lots,
      RATE_LIMIT_TOKEN_PER_MINUTE: lots,
      RATE_LIMIT_FORGOT_PER_MINUTE: lots,
      RATE_LIMIT_FORGOT_PER_EMAIL_PER_HOUR: lots,
    },
  });
  try {
    const api = apiClient(platform.gatewayUrl);
    const known = { email: `known-${randomUUID()}@example.org`, password: 'known password 1' };
    await api.post('/api/auth/register', { body: { ...known, full_name: 'Known' } });

    const cases: Array<[string, () => Promise<number>]> = [
      [
        'register, new email (201)',
        async () =>
          (
            await api.post('/api/auth/register', {
              body: {
                email: `new-${randomUUID()}@example.org`,
                password: 'new password 1',
                full_name: 'New',
              },
            })
          ).status,
      ],
      [
        'register, taken email (409)',
        async () =>
          (await api.post('/api/auth/register', { body: { ...known, full_name: 'Again' } })).status,
      ],
      [
        'login, known email, wrong password (401)',
        async () =>
          (
            await api.post('/api/auth/token', {
              body: { email: known.email, password: 'wrong password' },
            })
          ).status,
      ],
      [
        'login, unknown email (401)',
        async () =>
          (
            await api.post('/api/auth/token', {
              body: { email: `nobody-${randomUUID()}@example.org`, password: 'wrong password' },
            })
          ).status,
      ],
      [
        'forgot, known email (202)',
        async () =>
          (await api.post('/api/auth/password/forgot', { body: { email: known.email } })).status,
      ],
      [
        'forgot, unknown email (202)',
        async () =>
          (
            await api.post('/api/auth/password/forgot', {
              body: { email: `nobody-${randomUUID()}@example.org` },
            })
          ).status,
      ],
    ];
    const rows: string[] = [];
    for (const [name, run] of cases) {
      const samples: number[] = [];
      const statuses = new Set<number>();
      for (let i = 0; i < WARMUP + runs; i++) {
        const started = performance.now();
        statuses.add(await run());
        if (i >= WARMUP) samples.push(performance.now() - started);
      }
      samples.sort((a, b) => a - b);
      rows.push(
        `${name.padEnd(42)} median ${quantile(samples, 0.5).toFixed(1).padStart(6)} ms   p90 ${quantile(samples, 0.9).toFixed(1).padStart(6)} ms   status ${[...statuses].join(',')}`,
      );
    }
    process.stdout.write(`${rows.join('\n')}\n`);
  } finally {
    await platform.stop();
    await smtp.stop();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
