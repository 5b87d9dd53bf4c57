import { afterAll, afterEach, beforeAll } from 'vitest';

import { ServerProcess } from './server-process.js';
import { TargetServer } from './target-server.js';

export interface EndToEnd {
  /** The HTTP target on 127.0.0.1 shared by the file's tests. */
  target(): TargetServer;
  /** Starts a server process with its own database; it is disposed of after the test. */
  startServer(env?: Record<string, string>): Promise<ServerProcess>;
}

/** Registers the hooks of an end-to-end test file: one shared target, and fresh server processes per test. */
export function useEndToEnd(): EndToEnd {
  let target: TargetServer | null = null;
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    target = await new TargetServer().start();
  });

  afterAll(async () => {
    await target?.stop();
  });

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.dispose()));
  });

  return {
    target: () => {
      if (target === null) throw new Error('The target server starts in beforeAll; use it inside a test');
      return target;
    },
    async startServer(env = {}) {
      const server = new ServerProcess(env);
      servers.push(server);
      await server.start();
      return server;
    },
  };
}
