import { NotFoundError } from '@api-scheduler/core';
import { DatabaseOpenError, DestinationNotEmptyError } from '@api-scheduler/db';
import { SecretDecryptionError } from '@api-scheduler/engine';
import { describe, expect, it } from 'vitest';

import { describeFailure, isUsageError } from '../src/cli-errors.js';
import { EnvError } from '../src/env.js';
import { ImportDestinationNotEmptyError, ImportDocumentError } from '../src/export-import.js';
import { KeysUsageError } from '../src/keys-command.js';
import { RemoteUsageError } from '../src/remote-command.js';
import { InsecureStartError } from '../src/startup-policy.js';

// cli-errors.ts matches these by name, so each case builds the real class.
const usageErrors: [string, Error][] = [
  ['EnvError', new EnvError(['PORT must be a whole number'])],
  ['KeysUsageError', new KeysUsageError('keys create needs --name NAME')],
  ['InsecureStartError', new InsecureStartError('0.0.0.0')],
  ['ImportDocumentError', new ImportDocumentError('not JSON')],
  ['RemoteUsageError', new RemoteUsageError('--data is not JSON', 'targets create')],
];

const explainedFailures: [string, Error][] = [
  ['DatabaseOpenError', new DatabaseOpenError('file:/nowhere/db', 'open', new Error('ENOENT'))],
  ['DestinationNotEmptyError', new DestinationNotEmptyError()],
  ['ImportDestinationNotEmptyError', new ImportDestinationNotEmptyError()],
  ['NotFoundError', new NotFoundError('API key', '01000000-0000-7000-8000-000000000000')],
  ['SecretDecryptionError', new SecretDecryptionError('no key decrypts this value')],
];

describe('CLI error classification', () => {
  it.each(usageErrors)('treats %s as a usage error', (_name, error) => {
    expect(isUsageError(error)).toBe(true);
  });

  it.each(explainedFailures)('explains %s by its message alone', (_name, error) => {
    expect(isUsageError(error)).toBe(false);
    expect(describeFailure(error)).toBe(error.message);
  });

  it('shows the stack of an unexpected error', () => {
    const error = new Error('something broke');

    expect(isUsageError(error)).toBe(false);
    expect(describeFailure(error)).toBe(error.stack);
  });

  it('explains a port in use in one line', () => {
    const error = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8000'), { code: 'EADDRINUSE', address: '127.0.0.1', port: 8000 });

    expect(describeFailure(error)).toBe('port 8000 on 127.0.0.1 is already in use: stop the other process or set PORT to a free port');
  });

  it('explains an address of another machine', () => {
    const error = Object.assign(new Error('listen EADDRNOTAVAIL: address not available 10.9.9.9:8000'), { code: 'EADDRNOTAVAIL' });

    expect(describeFailure(error)).toBe('listen EADDRNOTAVAIL: address not available 10.9.9.9:8000: HOST must be an address of this machine');
  });

  it('gives a system error its message alone', () => {
    const error = Object.assign(new Error('EACCES: permission denied, mkdir /root/data'), { code: 'EACCES' });

    expect(describeFailure(error)).toBe(error.message);
  });

  it('turns a thrown non-error into text', () => {
    expect(isUsageError('bad')).toBe(false);
    expect(describeFailure('bad')).toBe('bad');
  });
});
