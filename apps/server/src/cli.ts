#!/usr/bin/env node
import { parseArgs } from 'node:util';

import { NotFoundError } from '@api-scheduler/core';
import { DatabaseOpenError, DestinationNotEmptyError, copyData } from '@api-scheduler/db';
import { SecretDecryptionError } from '@api-scheduler/engine';

import { EnvError, isInteractive, loadEnv } from './env.js';
import { ImportDestinationNotEmptyError, ImportDocumentError, exportData, importData, parseExportDocument } from './export-import.js';
import { KeysUsageError, createKeyCommand, formatKeyList, parseCreateOptions, revokeKeyCommand } from './keys-command.js';
import { createLogger } from './logger.js';
import { openStore } from './open-store.js';
import { RemoteUsageError, planRemoteRequest, runRemoteCommand } from './remote-command.js';
import { rotateSecrets } from './rotate-secrets.js';
import { secretCipherOf, serve } from './serve.js';
import { InsecureStartError } from './startup-policy.js';

const HELP = `Usage: api-scheduler COMMAND [options]

Commands:
  serve      Apply migrations, start the engine and serve the API and UI
  migrate    Apply pending database migrations and exit
  copy       Copy every API key, target, schedule and run from one database to
             another (libSQL to PostgreSQL or back); the destination must be empty
  keys create --name NAME --scope read|write|admin
             Create an API key and print it once (only its hash is stored)
  keys list  List the API keys (id, name, prefix, scope, times), never a secret
  keys revoke ID
             Revoke an API key; requests with it fail from then on
  export     Write every target and schedule of DATABASE_URL to standard output
             as one JSON document {"targets": [...], "schedules": [...]}
  import     Read that document from standard input into DATABASE_URL, which
             must have no target or schedule; ids and states are kept
  targets list | create --data JSON
             List the targets of a running server, or create one from the
             JSON body that POST /targets/ takes; prints the JSON response
  schedules list | create --data JSON | pause ID | resume ID | trigger ID
             The same for schedules, and pause, resume or fire one now
  rotate-secrets
             Re-encrypt every target's secret headers and signing secret with
             SCHEDULER_SECRET_KEY, decrypting with it or with
             SCHEDULER_SECRET_KEY_PREVIOUS; also encrypts values stored plain

Options of serve:
  --host HOST    Address to listen on (overrides HOST; default 127.0.0.1)
  --port PORT    Port to listen on (overrides PORT; default 8000)
  --insecure     Serve without authentication on a non-loopback HOST while no
                 API key exists (same as SCHEDULER_INSECURE=true)

Scopes of keys create:
  read    reads targets, schedules, runs and metrics
  write   also creates, changes, deletes and triggers targets and schedules
  admin   also creates, lists and revokes API keys

The keys commands work on DATABASE_URL directly, with or without a running server.

export writes secret header values and signing secrets as stored: encrypted
under SCHEDULER_SECRET_KEY when it was set, so a server on the imported
database needs the same key to read them.

Options of targets and schedules:
  --url URL      Address of the running server (default http://127.0.0.1:8000)
  --key KEY      API key to send (default: the SCHEDULER_API_KEY variable)
  --data JSON    Body of create
These exit 0 on success, 1 when the server fails or cannot be reached or
rejects the request in its state (HTTP 409, 5xx), 2 on invalid usage or an
invalid body (HTTP 400, 422), and 3 when the key is missing or lacks the
scope or the id is not found (HTTP 401, 403, 404).

Options of copy:
  --from URL     Source database (default: DATABASE_URL)
  --to URL       Destination database, migrated first (required)
  --skip-runs    Copy targets and schedules only, not the run history

Configuration comes from environment variables; the README lists them all.
Exit codes: 0 success, 1 runtime failure, 2 invalid usage or configuration,
3 (targets and schedules only) key missing or denied, or id not found.
`;

// Exit codes that scripts can rely on.
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      'skip-runs': { type: 'boolean' },
      insecure: { type: 'boolean' },
      name: { type: 'string' },
      scope: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      data: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...extra] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined && !values.help ? EXIT_USAGE : 0;
  }

  // targets and schedules call a running server and need no database, so they skip loadEnv.
  if (command === 'targets' || command === 'schedules') {
    const request = planRemoteRequest(command, extra, values.data);
    const result = await runRemoteCommand(request, { url: values.url, key: values.key }, process.env);
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.code;
  }

  // keys takes an action (create, list, revoke), and revoke also takes an id.
  let expectedArguments = 0;
  if (command === 'keys') expectedArguments = extra[0] === 'revoke' ? 2 : 1;
  if (extra.length > expectedArguments) {
    process.stderr.write(`Unexpected argument "${extra[expectedArguments]}" for ${command}. Run api-scheduler --help for the usage.\n`);
    return EXIT_USAGE;
  }

  const env = loadEnv({
    ...process.env,
    ...(values.host !== undefined ? { HOST: values.host } : {}),
    ...(values.port !== undefined ? { PORT: values.port } : {}),
    ...(values.insecure === true ? { SCHEDULER_INSECURE: 'true' } : {}),
  });
  // These commands print their result on standard output, so their log lines go to standard error.
  const printsResult = command === 'keys' || command === 'export' || command === 'import';
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: env.LOG_PRETTY || isInteractive(), stderr: printsResult });

  switch (command) {
    case 'serve': {
      const running = await serve(env, logger);
      await new Promise<void>((resolve) => {
        // Ctrl-C reaches both this process and the npm launcher, which passes
        // it on: a repeated signal must not end the shutdown half way.
        let stopping = false;
        const onSignal = (signal: NodeJS.Signals) => {
          if (stopping) {
            logger.info({ signal }, 'received signal while shutting down; still waiting for runs in flight');
            return;
          }
          stopping = true;
          logger.info({ signal }, 'received signal');
          void running.stop().then(resolve);
        };
        process.on('SIGTERM', onSignal);
        process.on('SIGINT', onSignal);
      });
      return 0;
    }
    case 'migrate': {
      const store = await openStore(env.DATABASE_URL, logger);
      await store.close();
      logger.info({ database: store.dialect }, 'migrations applied');
      return 0;
    }
    case 'copy': {
      if (values.to === undefined) {
        process.stderr.write('copy needs --to URL, the destination database. Run api-scheduler --help for the usage.\n');
        return EXIT_USAGE;
      }
      for (const [option, url] of [['--from', values.from], ['--to', values.to]] as const) {
        if (url !== undefined && !/^(file:.+|libsql:|postgres:|postgresql:)/i.test(url)) {
          process.stderr.write(`${option} must be a database URL: file:PATH (libSQL) or postgres://USER@HOST:PORT/DATABASE (got "${url}").\n`);
          return EXIT_USAGE;
        }
      }
      const source = await openStore(values.from ?? env.DATABASE_URL, logger);
      try {
        const destination = await openStore(values.to, logger);
        try {
          const copied = await copyData(source, destination, {
            runs: values['skip-runs'] !== true,
            onProgress: (progress) => logger.debug(progress, 'copying'),
          });
          logger.info({ ...copied, from: source.dialect, to: destination.dialect }, 'copied the data');
        } finally {
          await destination.close();
        }
      } finally {
        await source.close();
      }
      return 0;
    }
    case 'keys': {
      const [action, id] = extra;
      if (action !== 'create' && action !== 'list' && action !== 'revoke') {
        process.stderr.write(`keys needs create, list or revoke${action === undefined ? '' : ` (got "${action}")`}. Run api-scheduler --help for the usage.\n`);
        return EXIT_USAGE;
      }
      if (action === 'revoke' && id === undefined) {
        process.stderr.write('keys revoke needs the ID of the key, as keys list shows it. Run api-scheduler --help for the usage.\n');
        return EXIT_USAGE;
      }
      const createOptions = action === 'create' ? parseCreateOptions(values.name, values.scope) : null;

      const store = await openStore(env.DATABASE_URL, logger);
      try {
        if (createOptions !== null) {
          process.stdout.write(await createKeyCommand(store, { ...createOptions, baseUrl: `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}` }));
        } else if (action === 'list') {
          process.stdout.write(formatKeyList(await store.listApiKeys()));
        } else {
          process.stdout.write(await revokeKeyCommand(store, id!));
        }
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'export': {
      const store = await openStore(env.DATABASE_URL, logger);
      try {
        const document = await exportData(store);
        process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
        logger.info({ targets: document.targets.length, schedules: document.schedules.length }, 'exported the data');
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'import': {
      // Parse before opening the database, so an invalid document changes nothing.
      const document = parseExportDocument(await readStandardInput());
      const store = await openStore(env.DATABASE_URL, logger);
      try {
        const imported = await importData(store, document);
        process.stdout.write(`${JSON.stringify(imported)}\n`);
        logger.info({ ...imported, database: store.dialect }, 'imported the data');
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'rotate-secrets': {
      const cipher = secretCipherOf(env);
      if (cipher === null) {
        process.stderr.write('rotate-secrets needs SCHEDULER_SECRET_KEY, the key to encrypt with, and SCHEDULER_SECRET_KEY_PREVIOUS for values under the old key.\n');
        return EXIT_USAGE;
      }
      const store = await openStore(env.DATABASE_URL, logger);
      try {
        const rotated = await rotateSecrets(store, cipher, logger);
        logger.info({ ...rotated, key_id: cipher.currentKeyId }, 're-encrypted target secrets');
      } finally {
        await store.close();
      }
      return 0;
    }
    default:
      process.stderr.write(`Unknown command "${command}". Run api-scheduler --help for the list.\n`);
      return EXIT_USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: the log transport's worker thread would otherwise keep the process alive.
    process.exit(code);
  },
  (error: unknown) => {
    if (error instanceof EnvError || error instanceof KeysUsageError || error instanceof InsecureStartError || error instanceof ImportDocumentError || error instanceof RemoteUsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${error.message}\nRun api-scheduler --help for the options.\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stderr.write(`api-scheduler failed: ${describeFailure(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Explains a failure in one line where its cause is known (a system error
 * such as a port in use or an unwritable path), with the stack otherwise.
 */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (
    error instanceof DatabaseOpenError ||
    error instanceof DestinationNotEmptyError ||
    error instanceof ImportDestinationNotEmptyError ||
    error instanceof NotFoundError ||
    error instanceof SecretDecryptionError
  ) {
    return error.message;
  }

  const code = 'code' in error ? String(error.code) : '';
  if (code === 'EADDRINUSE') {
    const { address, port } = error as Error & { address?: string; port?: number };
    return `port ${port} on ${address} is already in use: stop the other process or set PORT to a free port`;
  }
  if (code === 'EADDRNOTAVAIL') return `${error.message}: HOST must be an address of this machine`;
  if (/^E[A-Z]+$/.test(code)) return error.message;
  return error.stack ?? error.message;
}
