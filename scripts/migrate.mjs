#!/usr/bin/env node
// `npm run migrate`: builds the three services that own tables and runs each one's migrate
// command (create the database and schema if missing, run pending migrations, exit), one after
// the other, against DATABASE_URL (and `.env`). The same command the Kubernetes Job and the
// compose migrate jobs run inside the images: node dist/apps/<app>/apps/<app>/src/migrate.js
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { createAppLogs } from './lib/app-logs.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVICES = ['users', 'auth-codes', 'events'];

loadDotenv({ path: join(ROOT, '.env'), quiet: true });
const logs = createAppLogs({
  apps: SERVICES,
  format: process.env.START_LOG_FORMAT === 'json' ? 'json' : 'pretty',
});

function run(args, { name } = {}) {
  return new Promise((done) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...process.env },
      stdio: ['ignore', name ? 'pipe' : 'inherit', name ? 'pipe' : 'inherit'],
    });
    const output = name ? logs.follow(name, child) : Promise.resolve();
    child.on('close', async (code, signal) => {
      await output;
      done(code ?? (signal ? 1 : 0));
    });
  });
}

if (!process.argv.includes('--no-build')) {
  const nx = createRequire(import.meta.url).resolve('nx/bin/nx.js');
  const built = await run([nx, 'run-many', '-t', 'build', `--projects=${SERVICES.join(',')}`]);
  if (built !== 0) process.exit(built);
}
for (const service of SERVICES) {
  const code = await run([join(ROOT, 'dist/apps', service, 'apps', service, 'src/migrate.js')], {
    name: service,
  });
  if (code !== 0) {
    logs.info(`${service}: migrations failed (exit code ${code})`);
    process.exit(code);
  }
}
logs.info('migrations done');
