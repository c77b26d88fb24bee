/**
 * The API-overhead floor: a bare Fastify server (no auth, no schema, no database, logger off) whose
 * one route returns a fixed JSON body, the same body wafleet answered for GET /v1/sessions/{id}.
 * Env: BENCH_PORT, BENCH_BODY (JSON). Prints "listening" when ready; stops on SIGTERM.
 */
import Fastify from 'fastify';

const body = JSON.parse(process.env.BENCH_BODY ?? '{}') as Record<string, unknown>;
const app = Fastify({ logger: false });
app.get('/v1/sessions/:id', async () => body);
await app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PORT) });
console.log('listening');
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
