/**
 * The baseline of `npm run bench:api`: a bare Fastify server answering `GET /health` with the
 * same JSON as the gateway's liveness route, and nothing else (no Nest, no hooks, no logging).
 *
 *   node dist/bench/bench/api-bare-server.js --port 3999
 */
import Fastify from 'fastify';
import { argValue } from './lib';

async function main(): Promise<void> {
  const port = Number(argValue('port', '0'));
  const server = Fastify({ logger: false });
  server.get('/health', async () => ({ status: 'ok' }));
  await server.listen({ port, host: '127.0.0.1' });
  const stop = () => void server.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bare server failed: ${String(error)}\n`);
  process.exit(1);
});
