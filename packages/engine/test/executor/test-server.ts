import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { ALLOW_PRIVATE_POLICY } from '@api-scheduler/core';

import { HttpExecutor, type ExecutorOptions } from '../../src/executor/index.js';

export interface TestServer {
  server: Server;
  /** Base URL without a trailing slash, such as http://127.0.0.1:41234. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 with an OS-assigned port. */
export async function startTestServer(
  handler: (request: IncomingMessage, response: ServerResponse) => void,
): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Handlers in these tests may hold responses open forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Returns a loopback port that was just free, so a request to it is refused. */
export async function findClosedPort(): Promise<number> {
  const probe = await startTestServer(() => undefined);
  await probe.close();
  return probe.port;
}

/** Reads a request body as a UTF-8 string. */
export async function readRequestBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Builds an executor that may reach loopback addresses, as these tests'
 * servers listen on 127.0.0.1. The guard tests build theirs without it.
 */
export function loopbackExecutor(options: Partial<ExecutorOptions> = {}): HttpExecutor {
  return new HttpExecutor({ addressPolicy: ALLOW_PRIVATE_POLICY, ...options });
}
