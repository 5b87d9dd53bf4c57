import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** Unix milliseconds when the request line arrived. */
  receivedAt: number;
}

export type TargetHandler = (request: ReceivedRequest, response: ServerResponse) => void;

/**
 * An HTTP target on 127.0.0.1 that records every request it receives.
 * Paths answer 200 with a small JSON body unless a handler is set for them.
 */
export class TargetServer {
  readonly received: ReceivedRequest[] = [];
  private readonly handlers = new Map<string, TargetHandler>();
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const receivedAt = Date.now();
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = (request.url ?? '/').split('?')[0]!;
        const received: ReceivedRequest = {
          method: request.method ?? 'GET',
          path,
          headers: request.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt,
        };
        this.received.push(received);
        const handler = this.handlers.get(path);
        if (handler) {
          handler(received, response);
          return;
        }
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ok: true, path }));
      });
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  on(path: string, handler: TargetHandler): void {
    this.handlers.set(path, handler);
  }

  requestsTo(path: string): ReceivedRequest[] {
    return this.received.filter((request) => request.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
