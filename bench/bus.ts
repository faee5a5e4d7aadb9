/**
 * Bus benchmark: request/reply round trips per second and latency, this platform's Redis Streams
 * bus against Nest's built-in Redis transport (pub/sub), on the same trivial handler, the same
 * Redis, at concurrency 1 and 64. Prints a table and writes bench/results/bus-*.json.
 *
 *   npm run bench:bus [-- --rounds 5 --duration 1500 --warmup 300 --server-concurrency 64]
 *
 * Both servers and both clients run in this one process, and the scenarios are interleaved in
 * rounds (bus, built-in, bus, built-in, ...), each round's samples pooled per scenario: on a
 * shared machine whose load drifts, both transports then see the same conditions. Same Redis for
 * both (REDIS_URL, default 127.0.0.1:6379; bus keys under a throwaway prefix, removed at the end).
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Controller, INestMicroservice, Module, Type, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  ClientProxy,
  ClientProxyFactory,
  MessagePattern,
  MicroserviceOptions,
  Payload,
  Transport,
} from '@nestjs/microservices';
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
  printTable,
  runClosedLoop,
  writeResults,
} from './lib';

interface Ping {
  worker: number;
  n: number;
}

const rounds = Number(argValue('rounds', '5'));
const durationMs = Number(argValue('duration', '1500'));
const warmupMs = Number(argValue('warmup', '300'));
const serverConcurrency = Number(argValue('server-concurrency', '64'));
const CONCURRENCIES = argValue('concurrency', '1,64').split(',').map(Number);
// `--only bus` or `--only builtin` runs one side (profiling).
const only = argValue('only', 'both');

const runId = randomBytes(4).toString('hex');
// A service name of its own per run, so concurrent runs (or tests) never share a channel or stream.
const SERVICE = `bench${runId}`;
// Declared like a contracts pattern, so the bus's sender check admits the client (as the gateway).
const PATTERN = requestPattern<Ping, Ping>(`${SERVICE}.echo`, { callers: ['gateway'] });

const config: CommonEnv = Object.assign(loadConfig(CommonEnv), {
  REDIS_KEY_PREFIX: `bench_${runId}`,
  LOG_LEVEL: 'warn',
  BUS_CONCURRENCY: serverConcurrency,
});

function echoController(): Type<unknown> {
  @Controller()
  class EchoController {
    @MessagePattern(PATTERN)
    echo(@Payload() ping: Ping): Ping {
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
    name: 'redis-streams bus (@up/bus)',
    call: (ping) => client.request(PATTERN, ping),
    stop: async () => {
      await client.close();
      await server.close();
    },
  };
}

async function startBuiltInRedis(): Promise<Transporter> {
  const url = new URL(config.REDIS_URL);
  const options = { host: url.hostname, port: Number(url.port || 6379) };
  const server: INestMicroservice = await NestFactory.createMicroservice<MicroserviceOptions>(
    EchoModule,
    {
      transport: Transport.REDIS,
      options,
      logger: ['error', 'warn'],
    },
  );
  // The same pipeline as a bus service, so only the transport differs.
  server.useGlobalPipes(
    new ValidationPipe({ transform: true, whitelist: true, exceptionFactory: validationFailed }),
  );
  server.useGlobalFilters(new BusExceptionFilter());
  await server.listen();
  const client: ClientProxy = ClientProxyFactory.create({ transport: Transport.REDIS, options });
  await client.connect();
  return {
    name: 'Nest built-in Transport.REDIS',
    call: (ping) => lastValueFrom(client.send(PATTERN, ping)),
    stop: async () => {
      await client.close();
      await server.close();
    },
  };
}

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

/** The target: at concurrency 64, at least the built-in's throughput with p99 at most 1.5x its p99. */
function compare(bus: ClosedLoopResult, builtIn: ClosedLoopResult) {
  const throughputRatio = bus.throughput / builtIn.throughput;
  const p99Ratio = bus.latency.p99 / builtIn.latency.p99;
  const met = throughputRatio >= 1 && p99Ratio <= 1.5;
  process.stdout.write(
    `target at concurrency 64 (throughput >= built-in, p99 <= 1.5x built-in): ` +
      `throughput x${fmt(throughputRatio)}, p99 x${fmt(p99Ratio)} -> ${met ? 'met' : 'NOT met'}\n`,
  );
  return { throughputRatio, p99Ratio, met };
}

async function main(): Promise<void> {
  process.stdout.write(
    `bus benchmark: ${rounds} interleaved rounds of ${durationMs} ms per scenario (after ${warmupMs} ms warm-up), ` +
      `Redis ${config.REDIS_URL}, ` +
      `bus server concurrency ${serverConcurrency}\n`,
  );
  const transports = [
    ...(only === 'builtin' ? [] : [await startStreamsBus()]),
    ...(only === 'bus' ? [] : [await startBuiltInRedis()]),
  ];
  let results: Array<ClosedLoopResult & { transport: string }>;
  try {
    results = await measure(transports);
  } finally {
    for (const transport of transports) await transport.stop();
    await unlinkKeysWithPrefix(config.REDIS_URL, config.REDIS_KEY_PREFIX);
  }

  const ordered = results;
  printTable(
    'request/reply round trips (latency in ms)',
    ordered.map((r) => ({
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

  const at64 = results.filter((r) => r.concurrency === 64);
  const target = at64.length === 2 ? compare(at64[0], at64[1]) : undefined;
  const path = writeResults('bus', {
    durationMs,
    warmupMs,
    serverConcurrency,
    runs: results,
    target,
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
