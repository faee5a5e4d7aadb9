/**
 * Bus benchmark: request/reply round trips per second and latency, this platform's Redis Streams
 * bus against the transports a Nest user would pick instead — Nest's built-in Redis (pub/sub),
 * NATS and RabbitMQ transports — on the same trivial handler with the same ValidationPipe and
 * exception filter, at concurrency 1 and 64. Prints a table, the ratios and the targets of issue
 * 13, and writes bench/results/bus-*.json.
 *
 *   npm run bench:bus [-- --rounds 5 --duration 1500 --warmup 300 --server-concurrency 64]
 *                     [-- --only bus,nats]       run some transports only (bus, redis, nats, rmq)
 *                     [-- --profile]             CPU profile of the measured rounds (in-process,
 *                                                node:inspector), summarised at the end and kept in
 *                                                bench/results/profiles/; best with `--only bus`
 *
 * Every server and client runs in this one process, and the scenarios are interleaved in rounds
 * (bus, redis, nats, rmq, then the reverse order, ...), each round's samples pooled per scenario:
 * on a shared machine whose load drifts, every transport sees the same conditions. Servers:
 * REDIS_URL (default 127.0.0.1:6379; bus keys under a throwaway prefix, removed at the end),
 * `--nats-url` (nats://127.0.0.1:4222), `--amqp-url` (amqp://guest:guest@127.0.0.1:5672; a
 * throwaway, non-durable, auto-deleted queue). Nest's transports run with their defaults (RMQ:
 * noAck, so no redelivery; NATS and Redis: fire-and-forget pub/sub), the bus with every guarantee
 * it always has (consumer group, ack + delete, signatures, allow-list, metrics, trace context).
 *
 * A profile of the whole run (start-up included) also works, since everything is in this process:
 * `bash scripts/on-node24.sh --cpu-prof --cpu-prof-dir=bench/results/profiles
 * dist/bench/bench/bus.js --only bus`, then summarizeProfile (bench/lib) on the file it writes.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { Controller, INestMicroservice, Module, Type, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxy,
  ClientProxyFactory,
  ClientOptions,
  MessagePattern,
  MicroserviceOptions,
  Payload,
  Transport,
} from '@nestjs/microservices';
import { IsInt, Min } from 'class-validator';
import { lastValueFrom } from 'rxjs';
import {
  BusExceptionFilter,
  busOptionsFromConfig,
  createBusMicroservice,
  RedisStreamsClient,
  validationFailed,
} from '@up/bus';
import { CommonEnv, ConfigModule, loadConfig } from '@up/config';
import { requestPattern } from '@up/contracts';
import { LoggingModule } from '@up/logging';
import { unlinkKeysWithPrefix } from '@up/testing';
import {
  argValue,
  ClosedLoopResult,
  fmt,
  LatencyRecorder,
  pooled,
  printProfileSummary,
  printRuntime,
  printTable,
  printTargets,
  RESULTS_DIR,
  runClosedLoop,
  summarizeProfile,
  target,
  Target,
  writeResults,
} from './lib';

/** The request, a DTO with class-validator rules like every bus message (libs/contracts). */
class PingDto {
  @IsInt()
  @Min(0)
  worker!: number;

  @IsInt()
  @Min(0)
  n!: number;
}

type Ping = Pick<PingDto, 'worker' | 'n'>;

const rounds = Number(argValue('rounds', '5'));
const durationMs = Number(argValue('duration', '1500'));
const warmupMs = Number(argValue('warmup', '300'));
const serverConcurrency = Number(argValue('server-concurrency', '64'));
const CONCURRENCIES = argValue('concurrency', '1,64').split(',').map(Number);
const TRANSPORTS = ['bus', 'redis', 'nats', 'rmq'] as const;
type TransportKey = (typeof TRANSPORTS)[number];
// `--only bus` (or `--only bus,nats`) runs some transports only (profiling).
const only = new Set(argValue('only', TRANSPORTS.join(',')).split(','));
const profile = process.argv.includes('--profile');

const runId = randomBytes(4).toString('hex');
// A service name of its own per run, so concurrent runs (or tests) never share a channel or stream.
const SERVICE = `bench${runId}`;
// Declared like a contracts pattern, so the bus's sender check admits the client (as the gateway).
const PATTERN = requestPattern<Ping, Ping>(`${SERVICE}.echo`, { callers: ['gateway'] });
const NATS_URL = argValue('nats-url', 'nats://127.0.0.1:4222');
const AMQP_URL = argValue('amqp-url', 'amqp://guest:guest@127.0.0.1:5672');
const RMQ_QUEUE = `bench_bus_${runId}`;

// Production configuration (NODE_ENV as set, default production), so with real keys: one
// throwaway key, which the server (as SERVICE) and the client (as the gateway) sign with and trust.
const busKey = randomBytes(32).toString('hex');
process.env.BUS_SIGNING_KEY ??= busKey;
process.env.BUS_TRUSTED_KEYS ??= `gateway=${busKey},${SERVICE}=${busKey}`;
const config: CommonEnv = Object.assign(loadConfig(CommonEnv), {
  REDIS_KEY_PREFIX: `bench_${runId}`,
  LOG_LEVEL: 'warn',
  BUS_CONCURRENCY: serverConcurrency,
});

function echoController(): Type<unknown> {
  @Controller()
  class EchoController {
    @MessagePattern(PATTERN)
    echo(@Payload() ping: PingDto): Ping {
      return ping;
    }
  }
  return EchoController;
}

@Module({
  imports: [ConfigModule.forRoot(CommonEnv, config), LoggingModule.forRoot('bench-bus')],
  controllers: [echoController()],
})
class EchoModule {}

interface Transporter {
  key: TransportKey;
  name: string;
  call: (ping: Ping) => Promise<unknown>;
  stop: () => Promise<void>;
}

async function startStreamsBus(): Promise<Transporter> {
  const server = await createBusMicroservice(EchoModule, {
    service: SERVICE,
    consumerName: 'bench-1',
  });
  await server.listen();
  const client = new RedisStreamsClient({
    ...busOptionsFromConfig(config, 'gateway'),
    consumerName: 'bench-client',
  });
  await client.connect();
  return {
    key: 'bus',
    name: 'redis-streams bus (@up/bus)',
    call: (ping) => client.request(PATTERN, ping),
    stop: async () => {
      await client.close();
      await server.close();
    },
  };
}

/**
 * One of Nest's own transports: server and ClientProxy with the same options, and the same
 * pipeline as a bus service (createBusMicroservice's pipe and filter): only the transport differs.
 */
async function startNestTransport(
  key: TransportKey,
  name: string,
  options: ClientOptions & MicroserviceOptions,
): Promise<Transporter> {
  const server: INestMicroservice = await NestFactory.createMicroservice<MicroserviceOptions>(
    EchoModule,
    { ...options, logger: ['error', 'warn'] },
  );
  server.useGlobalPipes(
    new ValidationPipe({ transform: true, whitelist: true, exceptionFactory: validationFailed }),
  );
  server.useGlobalFilters(new BusExceptionFilter());
  await server.listen();
  const client: ClientProxy = ClientProxyFactory.create(options);
  await client.connect();
  return {
    key,
    name,
    call: (ping) => lastValueFrom(client.send(PATTERN, ping)),
    stop: async () => {
      await client.close();
      await server.close();
    },
  };
}

function startNestRedis(): Promise<Transporter> {
  const url = new URL(config.REDIS_URL);
  return startNestTransport('redis', 'Nest Transport.REDIS', {
    transport: Transport.REDIS,
    options: { host: url.hostname, port: Number(url.port || 6379) },
  });
}

function startNestNats(): Promise<Transporter> {
  return startNestTransport('nats', 'Nest Transport.NATS', {
    transport: Transport.NATS,
    options: { servers: [NATS_URL] },
  });
}

function startNestRmq(): Promise<Transporter> {
  return startNestTransport('rmq', 'Nest Transport.RMQ', {
    transport: Transport.RMQ,
    options: {
      urls: [AMQP_URL],
      queue: RMQ_QUEUE,
      queueOptions: { durable: false, autoDelete: true },
    },
  });
}

const STARTERS: Record<TransportKey, () => Promise<Transporter>> = {
  bus: startStreamsBus,
  redis: startNestRedis,
  nats: startNestNats,
  rmq: startNestRmq,
};

interface Scenario {
  transport: Transporter;
  concurrency: number;
  runs: ClosedLoopResult[];
  recorder: LatencyRecorder;
}

async function measure(
  transports: Transporter[],
): Promise<Array<ClosedLoopResult & { transport: string }>> {
  const scenarios: Scenario[] = CONCURRENCIES.flatMap((concurrency) =>
    transports.map((transport) => ({
      transport,
      concurrency,
      runs: [],
      recorder: new LatencyRecorder(),
    })),
  );
  for (let round = 1; round <= rounds; round++) {
    // Alternate who goes first, so neither always inherits the other's leftovers (GC, caches).
    const order = round % 2 === 1 ? scenarios : [...scenarios].reverse();
    for (const scenario of order) {
      const run = await runClosedLoop({
        concurrency: scenario.concurrency,
        durationMs,
        warmupMs,
        recorder: scenario.recorder,
        call: (worker, n) => scenario.transport.call({ worker, n }),
      });
      scenario.runs.push(run);
      process.stdout.write(
        `  round ${round}/${rounds}  ${scenario.transport.name.padEnd(30)} c=${String(scenario.concurrency).padEnd(3)} ` +
          `${Math.round(run.throughput)} req/s, p99 ${fmt(run.latency.p99)} ms\n`,
      );
    }
  }
  return scenarios.map((scenario) => ({
    transport: scenario.transport.name,
    ...pooled(scenario.runs, scenario.recorder),
  }));
}

type Result = ClosedLoopResult & { transport: string; key: TransportKey };

/**
 * In-process CPU profile of what `run` does (node:inspector: the measured rounds only, not the
 * start-up); written to bench/results/profiles/ and summarised.
 */
async function profiled<T>(run: () => Promise<T>): Promise<{ value: T; file?: string }> {
  if (!profile) return { value: await run() };
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  try {
    const value = await run();
    const { profile: data } = await session.post('Profiler.stop');
    const dir = join(RESULTS_DIR, 'profiles');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `bus-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
    writeFileSync(file, JSON.stringify(data));
    return { value, file };
  } finally {
    session.disconnect();
  }
}

function targetsOf(results: Result[]): Target[] {
  const at = (key: TransportKey, concurrency: number) =>
    results.find((r) => r.key === key && r.concurrency === concurrency);
  const ratio = (a?: number, b?: number) =>
    a === undefined || b === undefined || b === 0 ? undefined : a / b;
  const bus64 = at('bus', 64)?.throughput;
  return [
    target('bus c=64 ÷ Nest Redis (req/s)', ratio(bus64, at('redis', 64)?.throughput), '>=', 1),
    target('bus c=64 ÷ Nest NATS (req/s)', ratio(bus64, at('nats', 64)?.throughput), '>=', 1),
    target('bus c=64 ÷ Nest RMQ (req/s)', ratio(bus64, at('rmq', 64)?.throughput), '>=', 1),
    target(
      'bus c=1 p50 ÷ Nest NATS p50',
      ratio(at('bus', 1)?.latency.p50, at('nats', 1)?.latency.p50),
      '<=',
      1,
    ),
  ];
}

/** Every transport against the bus, per concurrency: throughput and latency ratios. */
function ratiosOf(results: Result[]): Array<Record<string, string | number>> {
  const rows: Array<Record<string, string | number>> = [];
  for (const concurrency of CONCURRENCIES) {
    const bus = results.find((r) => r.key === 'bus' && r.concurrency === concurrency);
    if (!bus) continue;
    for (const other of results) {
      if (other.key === 'bus' || other.concurrency !== concurrency) continue;
      rows.push({
        'bus ÷': other.transport,
        concurrency,
        'req/s': Number((bus.throughput / other.throughput).toFixed(2)),
        p50: Number((bus.latency.p50 / other.latency.p50).toFixed(2)),
        p99: Number((bus.latency.p99 / other.latency.p99).toFixed(2)),
      });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  printRuntime();
  const keys = TRANSPORTS.filter((key) => only.has(key));
  process.stdout.write(
    `bus benchmark: ${keys.join(', ')}; ${rounds} interleaved rounds of ${durationMs} ms per scenario ` +
      `(after ${warmupMs} ms warm-up), concurrency ${CONCURRENCIES.join(' and ')}, ` +
      `Redis ${config.REDIS_URL}, NATS ${NATS_URL}, RabbitMQ ${AMQP_URL.replace(/\/\/[^@]*@/, '//')}, ` +
      `bus server concurrency ${serverConcurrency}${profile ? ', CPU profile on' : ''}\n`,
  );
  const transports: Transporter[] = [];
  let results: Result[];
  let file: string | undefined;
  try {
    for (const key of keys) transports.push(await STARTERS[key]());
    // Every transport answers the same body, or the comparison means nothing.
    const ping = { worker: 7, n: 42 };
    for (const transport of transports) {
      const answer = JSON.stringify(await transport.call(ping));
      if (answer !== JSON.stringify(ping)) {
        throw new Error(`${transport.name} answered ${answer}, not ${JSON.stringify(ping)}`);
      }
    }
    const measured = await profiled(() => measure(transports));
    file = measured.file;
    results = measured.value.map((r) => ({
      ...r,
      key: transports.find((t) => t.name === r.transport)?.key ?? 'bus',
    }));
  } finally {
    for (const transport of transports) await transport.stop();
    await unlinkKeysWithPrefix(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  }

  printTable(
    'request/reply round trips (latency in ms)',
    results.map((r) => ({
      transport: r.transport,
      concurrency: r.concurrency,
      'req/s': Math.round(r.throughput),
      p50: Number(r.latency.p50.toFixed(3)),
      p90: Number(r.latency.p90.toFixed(3)),
      p99: Number(r.latency.p99.toFixed(3)),
      max: Number(r.latency.max.toFixed(3)),
      'cpu µs/call': Math.round(r.cpuPerCallUs),
      errors: r.errors,
    })),
  );
  const ratios = ratiosOf(results);
  if (ratios.length > 0) printTable('ratios: the bus ÷ each transport, same run', ratios);
  if (file) printProfileSummary('bus benchmark CPU profile', summarizeProfile(file, 15));

  const targets = targetsOf(results);
  printTargets('issue 13 targets (bus)', targets);
  const path = writeResults('bus', {
    durationMs,
    warmupMs,
    serverConcurrency,
    transports: keys,
    runs: results,
    ratios,
    targets,
    ...(file ? { profile: file } : {}),
  });
  process.stdout.write(`results written to ${path}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
