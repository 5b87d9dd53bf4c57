import { describe, expect, it } from 'vitest';

import { useEndToEnd } from './support/end-to-end.js';

const { target, startServer } = useEndToEnd();

describe('POST /targets/{id}/test', () => {
  it('sends the request once and records no run', async () => {
    const server = await startServer();
    const created = await server.request('POST', '/targets/', {
      url: `${target().url}/probe`,
      method: 'POST',
      headers: { Authorization: 'Bearer real-secret' },
      body_template: '{"ping":true}',
    });

    const response = await server.request('POST', `/targets/${created.body.id}/test`);

    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'SUCCESS', status_code: 200, error_type: null, truncated: false });
    expect(response.body.response_body).toContain('"path":"/probe"');
    const received = target().requestsTo('/probe');
    expect(received).toHaveLength(1);
    expect(received[0]?.headers.authorization).toBe('Bearer real-secret');
    expect(received[0]?.body).toBe('{"ping":true}');
    expect((await server.request('GET', '/runs/')).body).toEqual([]);
  });

  it('applies the address guard', async () => {
    const server = await startServer({ SCHEDULER_ALLOW_PRIVATE_TARGETS: 'false' });
    const before = target().requestsTo('/guarded').length;
    // A host name passes the create check; the guard checks the address it resolves to.
    const port = new URL(target().url).port;
    const created = await server.request('POST', '/targets/', { url: `http://localhost:${port}/guarded` });
    expect(created.status).toBe(201);

    const response = await server.request('POST', `/targets/${created.body.id}/test`);

    expect(response.status).toBe(200);
    expect(response.body.status).toBe('FAILURE');
    expect(response.body.error_type).toBe('BLOCKED_ADDRESS');
    expect(target().requestsTo('/guarded').length).toBe(before);
  });

  it('answers 404 for an unknown target', async () => {
    const server = await startServer();

    const response = await server.request('POST', '/targets/01900000-0000-7000-8000-000000000000/test');

    expect(response.status).toBe(404);
  });
});
