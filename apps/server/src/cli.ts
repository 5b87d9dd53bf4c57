#!/usr/bin/env node
import { NotFoundError } from '@api-scheduler/core';
import { DatabaseOpenError, DestinationNotEmptyError, copyData } from '@api-scheduler/db';
import { SecretDecryptionError } from '@api-scheduler/engine';

import { parseCommandLine } from './cli-arguments.js';
import { EXIT_FAILURE, EXIT_SUCCESS, EXIT_USAGE } from './cli-usage.js';
import { EnvError, apiKeyFromEnv, loadCommandEnv } from './env.js';
import { ImportDestinationNotEmptyError, ImportDocumentError, exportData, importData, parseExportDocument } from './export-import.js';
import { KeysUsageError, createKeyCommand, formatKeyList, parseCreateOptions, revokeKeyCommand } from './keys-command.js';
import { chooseLogFormat, createLogger } from './logger.js';
import { openStore } from './open-store.js';
import { RemoteUsageError, planRemoteRequest, runRemoteCommand } from './remote-command.js';
import { rotateSecrets } from './rotate-secrets.js';
import { secretCipherOf, serve } from './serve.js';
import { InsecureStartError } from './startup-policy.js';

/** Runs one command line and returns the exit code. */
async function main(argv: string[]): Promise<number> {
  const commandLine = parseCommandLine(argv);
  if (commandLine.kind === 'help') {
    process.stdout.write(commandLine.text);
    return EXIT_SUCCESS;
  }
  if (commandLine.kind === 'invalid') {
    process.stderr.write(`${commandLine.message}\n`);
    return EXIT_USAGE;
  }

  const { command, arguments: args, options } = commandLine;
  const option = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);

  // targets and schedules call a running server and need no database, so they skip loadEnv.
  if (command.startsWith('targets ') || command.startsWith('schedules ')) {
    const request = planRemoteRequest(command, args[0], option('data'));
    const result = await runRemoteCommand(command, request, { url: option('url'), key: option('key') ?? apiKeyFromEnv() });
    process.stdout.write(result.stdout);
    process.stderr.write(result.stderr);
    return result.code;
  }

  const env = loadCommandEnv({
    ...(option('host') !== undefined ? { HOST: option('host') } : {}),
    ...(option('port') !== undefined ? { PORT: option('port') } : {}),
    ...(options.insecure === true ? { SCHEDULER_INSECURE: 'true' } : {}),
  });
  // These commands print their result on standard output, so their log lines go to standard error.
  const printsResult = command.startsWith('keys ') || command === 'export' || command === 'import';
  const destination = printsResult ? process.stderr : process.stdout;
  const format = chooseLogFormat(env.LOG_PRETTY, destination.isTTY === true);
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: format === 'pretty', stderr: printsResult });

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
      const to = option('to');
      const from = option('from');
      if (to === undefined) {
        process.stderr.write('copy needs --to URL, the destination database. Run api-scheduler copy --help for the usage.\n');
        return EXIT_USAGE;
      }
      for (const [name, url] of [['--from', from], ['--to', to]] as const) {
        if (url !== undefined && !/^(file:.+|libsql:|postgres:|postgresql:)/i.test(url)) {
          process.stderr.write(`${name} must be a database URL: file:PATH (libSQL) or postgres://USER@HOST:PORT/DATABASE (got "${url}"). Run api-scheduler copy --help for the usage.\n`);
          return EXIT_USAGE;
        }
      }
      const source = await openStore(from ?? env.DATABASE_URL, logger);
      try {
        const destination = await openStore(to, logger);
        try {
          const copied = await copyData(source, destination, {
            runs: options['skip-runs'] !== true,
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
    case 'keys create': {
      const createOptions = parseCreateOptions(option('name'), option('scope'));
      const store = await openStore(env.DATABASE_URL, logger);
      try {
        process.stdout.write(await createKeyCommand(store, { ...createOptions, baseUrl: `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}` }));
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'keys list': {
      const store = await openStore(env.DATABASE_URL, logger);
      try {
        process.stdout.write(formatKeyList(await store.listApiKeys()));
      } finally {
        await store.close();
      }
      return 0;
    }
    case 'keys revoke': {
      const store = await openStore(env.DATABASE_URL, logger);
      try {
        process.stdout.write(await revokeKeyCommand(store, args[0]!));
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
        process.stderr.write('rotate-secrets needs SCHEDULER_SECRET_KEY, the key to encrypt with, and SCHEDULER_SECRET_KEY_PREVIOUS for values under the old key. Run api-scheduler rotate-secrets --help for the usage.\n');
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
      // parseCommandLine accepts only the commands of COMMANDS, so this is a command without a case here.
      throw new Error(`The command "${command}" has usage text but no implementation`);
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
