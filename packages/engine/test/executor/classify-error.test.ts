import type { ErrorType } from '@api-scheduler/core';
import { describe, expect, it } from 'vitest';

import { BlockedAddressError, RequestInterruptedError, RequestTimeoutError, classifyError } from '../../src/executor/index.js';

function codedError(code: string, message = `synthetic ${code}`): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  const cases: Array<[string, unknown, ErrorType]> = [
    ['total timeout abort', new RequestTimeoutError(1000), 'TIMEOUT'],
    ['undici connect timeout', codedError('UND_ERR_CONNECT_TIMEOUT'), 'TIMEOUT'],
    ['undici headers timeout', codedError('UND_ERR_HEADERS_TIMEOUT'), 'TIMEOUT'],
    ['undici body timeout', codedError('UND_ERR_BODY_TIMEOUT'), 'TIMEOUT'],
    ['OS connect timeout', codedError('ETIMEDOUT'), 'TIMEOUT'],
    ['AbortSignal.timeout DOMException', new DOMException('The operation timed out.', 'TimeoutError'), 'TIMEOUT'],
    ['refused', codedError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'), 'CONNECTION_REFUSED'],
    ['reset', codedError('ECONNRESET'), 'CONNECTION_RESET'],
    ['broken pipe', codedError('EPIPE'), 'CONNECTION_RESET'],
    ['undici other side closed', codedError('UND_ERR_SOCKET', 'other side closed'), 'CONNECTION_RESET'],
    ['name not found', codedError('ENOTFOUND', 'getaddrinfo ENOTFOUND api.example.invalid'), 'DNS_ERROR'],
    ['temporary DNS failure', codedError('EAI_AGAIN'), 'DNS_ERROR'],
    ['no such name', codedError('EAI_NONAME'), 'DNS_ERROR'],
    ['self-signed leaf', codedError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'TLS_ERROR'],
    ['self-signed in chain', codedError('SELF_SIGNED_CERT_IN_CHAIN'), 'TLS_ERROR'],
    ['unverifiable leaf', codedError('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), 'TLS_ERROR'],
    ['expired certificate', codedError('CERT_HAS_EXPIRED'), 'TLS_ERROR'],
    ['host name mismatch', codedError('ERR_TLS_CERT_ALTNAME_INVALID'), 'TLS_ERROR'],
    ['wrong TLS version', codedError('ERR_SSL_WRONG_VERSION_NUMBER'), 'TLS_ERROR'],
    ['EPROTO from OpenSSL', codedError('EPROTO', 'write EPROTO SSL routines:ssl3_get_record:wrong version number'), 'TLS_ERROR'],
    ['caller abort', new RequestInterruptedError('Request interrupted: the caller aborted it'), 'INTERRUPTED'],
    ['undici request aborted', codedError('UND_ERR_ABORTED'), 'INTERRUPTED'],
    ['agent closed', codedError('UND_ERR_CLOSED'), 'INTERRUPTED'],
    ['AbortError DOMException', new DOMException('This operation was aborted', 'AbortError'), 'INTERRUPTED'],
    ['blocked address', new BlockedAddressError('Address 169.254.169.254 is blocked'), 'BLOCKED_ADDRESS'],
    ['unknown code', codedError('EHOSTUNREACH'), 'NETWORK_ERROR'],
    ['EPROTO without TLS', codedError('EPROTO', 'protocol error'), 'NETWORK_ERROR'],
    ['plain error', new Error('something broke'), 'NETWORK_ERROR'],
    ['non-error value', 'a string', 'NETWORK_ERROR'],
    ['null', null, 'NETWORK_ERROR'],
  ];

  it.each(cases)('classifies %s', (_name, error, expected) => {
    expect(classifyError(error).errorType).toBe(expected);
  });

  it('walks cause chains', () => {
    const error = new TypeError('fetch failed', { cause: new Error('wrapper', { cause: codedError('ENOTFOUND') }) });

    expect(classifyError(error).errorType).toBe('DNS_ERROR');
  });

  it('walks AggregateError members', () => {
    const error = new AggregateError([new Error('no code'), codedError('ECONNREFUSED')], 'all attempts failed');

    expect(classifyError(error).errorType).toBe('CONNECTION_REFUSED');
  });

  it('stops on cyclic causes', () => {
    const first = new Error('first');
    const second = new Error('second', { cause: first });
    Object.assign(first, { cause: second });

    expect(classifyError(first).errorType).toBe('NETWORK_ERROR');
  });

  it('lets the outermost known code win', () => {
    const error = Object.assign(new Error('other side closed', { cause: codedError('ECONNREFUSED') }), { code: 'UND_ERR_SOCKET' });

    expect(classifyError(error).errorType).toBe('CONNECTION_RESET');
  });

  it('prefixes foreign messages with a summary', () => {
    const { message } = classifyError(codedError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:9'));

    expect(message).toBe('Connection refused: connect ECONNREFUSED 127.0.0.1:9');
  });

  it('appends a code missing from the message', () => {
    const { message } = classifyError(codedError('UND_ERR_SOCKET', 'other side closed'));

    expect(message).toBe('Connection reset: other side closed (UND_ERR_SOCKET)');
  });

  it('keeps own messages as they are', () => {
    expect(classifyError(new RequestTimeoutError(2500)).message).toBe('Request timed out after 2500 ms');
  });

  it('caps long messages', () => {
    const { message } = classifyError(new Error('x'.repeat(5000)));

    expect(message.length).toBeLessThanOrEqual(500);
  });
});
