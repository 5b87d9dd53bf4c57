#!/usr/bin/env node
// Each command imports the modules it uses when it runs. So --help, usage
// errors and the targets and schedules commands start without loading the
// database drivers, the engine, the API or the HTTP server.
import type { Logger } from 'pino';

import { parseCommandLine } from './cli-arguments.js';
import type { OptionValues } from './cli-arguments.js';
import { describeFailure, isUsageError } from './cli-errors.js';
import { EXIT_FAILURE, EXIT_SUCCESS, EXIT_USAGE } from './cli-usage.js';
import { apiKeyFromEnv, loadCommandEnv, secretCipherOf } from './env.js';
import type { Env } from './env.js';

/** The configuration, logger and parsed command line that a database command runs with. */
interface CommandContext {
  env: Env;
  logger: Logger;
  arguments: string[];
  options: OptionValues;
  /** Returns the value of a string option, or undefined when it is not given. */
  option(name: string): string | undefined;
}

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
  if (command.startsWith('targets ') || command.startsWith('schedules ')) return runRemote(command, args, option);

  const handler = DATABASE_COMMANDS[command];
  if (handler === undefined) {
    // parseCommandLine accepts only the commands of COMMANDS, so this is a command without a handler here.
    throw new Error(`The command "${command}" has usage text but no implementation`);
  }

  const env = loadCommandEnv({
    ...(option('host') !== undefined ? { HOST: option('host') } : {}),
    ...(option('port') !== undefined ? { PORT: option('port') } : {}),
    ...(options.insecure === true ? { SCHEDULER_INSECURE: 'true' } : {}),
  });
  // These commands print their result on standard output, so their log lines go to standard error.
  const printsResult = command.startsWith('keys ') || command === 'export' || command === 'import';
  const destination = printsResult ? process.stderr : process.stdout;
  const { chooseLogFormat, createLogger } = await import('./logger.js');
  const format = chooseLogFormat(env.LOG_PRETTY, destination.isTTY === true);
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: format === 'pretty', stderr: printsResult });

  return handler({ env, logger, arguments: args, options, option });
}

async function runRemote(command: string, args: string[], option: (name: string) => string | undefined): Promise<number> {
  const { planRemoteRequest, runRemoteCommand } = await import('./remote-command.js');
  const request = planRemoteRequest(command, args[0], option('data'));
  const result = await runRemoteCommand(command, request, { url: option('url'), key: option('key') ?? apiKeyFromEnv() });
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result.code;
}

async function serveCommand({ env, logger }: CommandContext): Promise<number> {
  const { serve } = await import('./serve.js');
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

async function migrateCommand({ env, logger }: CommandContext): Promise<number> {
  const { openStore } = await import('./open-store.js');
  const store = await openStore(env.DATABASE_URL, logger);
  await store.close();
  logger.info({ database: store.dialect }, 'migrations applied');
  return 0;
}

async function copyCommand({ env, logger, options, option }: CommandContext): Promise<number> {
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

  const { openStore } = await import('./open-store.js');
  const { copyData } = await import('@api-scheduler/db');
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

async function keysCreateCommand({ env, logger, option }: CommandContext): Promise<number> {
  const { createKeyCommand, parseCreateOptions } = await import('./keys-command.js');
  const createOptions = parseCreateOptions(option('name'), option('scope'));
  const { openStore } = await import('./open-store.js');
  const store = await openStore(env.DATABASE_URL, logger);
  try {
    process.stdout.write(await createKeyCommand(store, { ...createOptions, baseUrl: `http://${env.HOST.includes(':') ? `[${env.HOST}]` : env.HOST}:${env.PORT}` }));
  } finally {
    await store.close();
  }
  return 0;
}

async function keysListCommand({ env, logger }: CommandContext): Promise<number> {
  const { formatKeyList } = await import('./keys-command.js');
  const { openStore } = await import('./open-store.js');
  const store = await openStore(env.DATABASE_URL, logger);
  try {
    process.stdout.write(formatKeyList(await store.listApiKeys()));
  } finally {
    await store.close();
  }
  return 0;
}

async function keysRevokeCommand({ env, logger, arguments: args }: CommandContext): Promise<number> {
  const { revokeKeyCommand } = await import('./keys-command.js');
  const { openStore } = await import('./open-store.js');
  const store = await openStore(env.DATABASE_URL, logger);
  try {
    process.stdout.write(await revokeKeyCommand(store, args[0]!));
  } finally {
    await store.close();
  }
  return 0;
}

async function exportCommand({ env, logger }: CommandContext): Promise<number> {
  const { exportData } = await import('./export-import.js');
  const { openStore } = await import('./open-store.js');
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

async function importCommand({ env, logger }: CommandContext): Promise<number> {
  const { importData, parseExportDocument } = await import('./export-import.js');
  // Parse before opening the database, so an invalid document changes nothing.
  const document = parseExportDocument(await readStandardInput());
  const { openStore } = await import('./open-store.js');
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

async function rotateSecretsCommand({ env, logger }: CommandContext): Promise<number> {
  const cipher = secretCipherOf(env);
  if (cipher === null) {
    process.stderr.write('rotate-secrets needs SCHEDULER_SECRET_KEY, the key to encrypt with, and SCHEDULER_SECRET_KEY_PREVIOUS for values under the old key. Run api-scheduler rotate-secrets --help for the usage.\n');
    return EXIT_USAGE;
  }
  const { rotateSecrets } = await import('./rotate-secrets.js');
  const { openStore } = await import('./open-store.js');
  const store = await openStore(env.DATABASE_URL, logger);
  try {
    const rotated = await rotateSecrets(store, cipher, logger);
    logger.info({ ...rotated, key_id: cipher.currentKeyId }, 're-encrypted target secrets');
  } finally {
    await store.close();
  }
  return 0;
}

/** The commands that read the configuration and log, by the name that COMMANDS gives them. */
const DATABASE_COMMANDS: Record<string, (context: CommandContext) => Promise<number>> = {
  serve: serveCommand,
  migrate: migrateCommand,
  copy: copyCommand,
  'keys create': keysCreateCommand,
  'keys list': keysListCommand,
  'keys revoke': keysRevokeCommand,
  export: exportCommand,
  import: importCommand,
  'rotate-secrets': rotateSecretsCommand,
};

main(process.argv.slice(2)).then(
  (code) => {
    // Exit explicitly: the log transport's worker thread would otherwise keep the process alive.
    process.exit(code);
  },
  (error: unknown) => {
    if (isUsageError(error)) {
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
