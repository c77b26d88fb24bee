import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimServer } from '../server/sim-server.ts';
import { accountView, type AdminRoute, coreRoutes } from './routes.ts';

export { accountView };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (!chunks.length) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'body is not JSON');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Small JSON admin API on loopback. Routes are matched by method + regex; see docs/sim.md. */
export class AdminServer {
  private http: Server | undefined;
  readonly routes: AdminRoute[];

  constructor(sim: SimServer, extra: AdminRoute[] = []) {
    this.routes = [...extra, ...coreRoutes(sim)];
  }

  async listen(host: string, port: number): Promise<string> {
    this.http = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.http!.listen(port, host, resolve));
    const address = this.http.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    try {
      for (const route of this.routes) {
        if (route.method !== req.method) continue;
        const match = route.path.exec(url.pathname);
        if (!match) continue;
        const body = req.method === 'GET' || req.method === 'DELETE' ? {} : await readJson(req);
        const result = await route.handler({ params: match.groups ?? {}, body, query: url.searchParams });
        send(res, result.status ?? 200, result.body);
        return;
      }
      send(res, 404, { error: `no route ${req.method} ${url.pathname}` });
    } catch (err) {
      const status = err instanceof HttpError ? err.status : ((err as { status?: number }).status ?? 500);
      send(res, status, { error: (err as Error).message });
    }
  }

  async close(): Promise<void> {
    if (!this.http) return;
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http!.close(() => resolve()));
  }
}
