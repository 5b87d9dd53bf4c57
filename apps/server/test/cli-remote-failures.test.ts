import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runRemoteCommand } from '../src/remote-command.js';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const HTML_PAGE = '<!DOCTYPE html>\n<html>\n  <head><title>Sign in</title></head>\n  <body>Proxy login</body>\n</html>\n';

let server: Server;
let baseUrl: string;
let closedPortUrl: string;

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** Handler of every request to the stand-in server; each test sets it to respond as a service other than API Scheduler might. */
let answer: Handler = (_request, response) => response.end();

const htmlPage: Handler = (_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(HTML_PAGE);
};

beforeAll(async () => {
  server = createServer((request, response) => answer(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  // A port that was free a moment ago and has nothing listening, so a connection is refused.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  closedPortUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function expectOneLine(stderr: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).not.toContain('    at ');
}

describe('remote commands against a server that is not API Scheduler', () => {
  it('explains an HTML page with HTTP 200 in one line, exit 1', async () => {
    answer = htmlPage;

    const result = await runCli(['targets', 'list', '--url', baseUrl]);

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expectOneLine(result.stderr);
    expect(result.stderr).toContain('GET /targets/ on http://127.0.0.1:');
    expect(result.stderr).toContain('HTTP 200 with text/html content that is not JSON');
    expect(result.stderr).toContain('"<!DOCTYPE html> <html> <head><title>Sign in</title>');
    expect(result.stderr).toContain('check that --url is the address of API Scheduler');
  });

  it('explains an HTML error page in one line, exit 1', async () => {
    answer = (_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
    };

    const result = await runCli(['schedules', 'list', '--url', baseUrl]);

    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toContain('HTTP 502 with text/html content that is not JSON');
  });

  it('explains JSON that is not a list, exit 1', async () => {
    answer = (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"items": []}');
    };

    const result = await runCli(['targets', 'list', '--url', baseUrl]);

    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toContain('application/json content that is not a JSON array');
  });

  it('explains an empty body, exit 1', async () => {
    answer = (_request, response) => {
      response.writeHead(200);
      response.end();
    };

    const result = await runCli(['schedules', 'pause', 'abc', '--url', baseUrl]);

    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toContain('POST /schedules/abc/pause on http://127.0.0.1:');
    expect(result.stderr).toContain('HTTP 200 with an empty body');
  });

  it('explains a dropped connection, exit 1', async () => {
    answer = (request) => request.socket.destroy();

    const result = await runCli(['targets', 'list', '--url', baseUrl]);

    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toContain(`The server at ${baseUrl} closed the connection before it sent a response`);
  });

  it('explains a refused connection, exit 1', async () => {
    const result = await runCli(['schedules', 'trigger', 'abc', '--url', closedPortUrl]);

    expect(result.code).toBe(1);
    expectOneLine(result.stderr);
    expect(result.stderr).toContain(`Cannot reach the server at ${closedPortUrl}: the connection was refused`);
    expect(result.stderr).toContain('ECONNREFUSED');
  });
});

describe('runRemoteCommand', () => {
  it('explains a host name that is not found', async () => {
    // Node's fetch fails this way when getaddrinfo finds no address. The
    // error is built here, so no DNS query leaves this machine.
    const notFound = Object.assign(new Error('getaddrinfo ENOTFOUND localhost.invalid'), { code: 'ENOTFOUND', hostname: 'localhost.invalid' });
    const failingFetch = (() => Promise.reject(new TypeError('fetch failed', { cause: notFound }))) as typeof fetch;

    const result = await runRemoteCommand('targets list', { method: 'GET', path: '/targets/', list: true }, { url: 'http://localhost.invalid:8000', key: undefined, fetch: failingFetch });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'Cannot reach the server at http://localhost.invalid:8000: the host name localhost.invalid was not found (getaddrinfo ENOTFOUND localhost.invalid). Check the host name in --url.\n',
    );
  });

  it('times out on a silent server', async () => {
    // Sends no response, so only the client's timeout ends the request.
    answer = () => undefined;

    const result = await runRemoteCommand('targets list', { method: 'GET', path: '/targets/', list: true }, { url: baseUrl, key: undefined, timeoutMs: 300 });

    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`No response from the server at ${baseUrl} within 0.3 s: check that it is running and that --url is its address.\n`);
  });
});
