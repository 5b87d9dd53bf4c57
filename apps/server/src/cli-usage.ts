import { API_KEY_VARIABLE, SERVER_VARIABLES } from './env.js';
import type { EnvironmentVariable } from './env.js';

/** Exit codes of every command. */
export const EXIT_SUCCESS = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** Only the targets and schedules commands use it. */
export const EXIT_DENIED_OR_NOT_FOUND = 3;

export const EXIT_CODES: readonly [number, string][] = [
  [EXIT_SUCCESS, 'success'],
  [EXIT_FAILURE, 'failure: the database or port cannot be used, the server cannot be reached, fails the request or returns a response that is not the API\'s JSON, or rejects the request in the current state (HTTP 409)'],
  [EXIT_USAGE, 'invalid usage or configuration: an unknown command or option, a missing argument, an invalid value or body (HTTP 400, 422)'],
  [EXIT_DENIED_OR_NOT_FOUND, 'targets and schedules only: the API key is missing or lacks the scope, or the id is not found (HTTP 401, 403, 404)'],
];

export interface OptionUsage {
  type: 'string' | 'boolean';
  /** Placeholder of the value in the usage text, such as URL, for string options only. */
  value?: string;
  description: string;
  /** Default as the help text shows it. It is absent for a required option and for a flag. */
  default?: string;
  /** Marks an option that the usage line shows. The command itself checks that it is there. */
  required?: boolean;
}

export interface ArgumentUsage {
  name: string;
  /** Description of the argument, worded to follow "COMMAND needs …". */
  description: string;
}

export interface CommandUsage {
  /** One line for the list of commands. */
  summary: string;
  /** Paragraphs after the usage line. */
  details?: string[];
  arguments?: ArgumentUsage[];
  options: Record<string, OptionUsage>;
  /** The environment variables the command reads. */
  environment: readonly EnvironmentVariable[];
  examples: string[];
  /** The actions of a command group such as keys; the group itself runs nothing. */
  subcommands?: string[];
}

const LOG_VARIABLES = ['LOG_LEVEL', 'LOG_PRETTY'] as const satisfies readonly EnvironmentVariable[];

const DATABASE_COMMAND_VARIABLES = ['DATABASE_URL', ...LOG_VARIABLES] as const satisfies readonly EnvironmentVariable[];

/** Options shared by the commands that call the REST API of a running server. */
const REMOTE_OPTIONS: Record<string, OptionUsage> = {
  url: { type: 'string', value: 'URL', description: 'Address of the running server', default: 'http://127.0.0.1:8000' },
  key: { type: 'string', value: 'KEY', description: `API key to send as a bearer token`, default: `the ${API_KEY_VARIABLE} variable` },
};

const REMOTE_DETAILS =
  'Calls the REST API of a running server and prints its JSON response on standard output. Errors go to standard error as one line.';

const SCHEDULE_ID: ArgumentUsage = { name: 'ID', description: 'the ID of the schedule' };

function remoteCommand(summary: string, extra: Partial<CommandUsage> & Pick<CommandUsage, 'examples'>): CommandUsage {
  return {
    summary,
    details: [REMOTE_DETAILS, ...(extra.details ?? [])],
    options: { ...REMOTE_OPTIONS, ...extra.options },
    environment: [API_KEY_VARIABLE],
    ...(extra.arguments === undefined ? {} : { arguments: extra.arguments }),
    examples: extra.examples,
  };
}

/**
 * Every command of the api-scheduler CLI: the parser takes each command's
 * options from here, and the help text is rendered from here.
 */
export const COMMANDS: Record<string, CommandUsage> = {
  serve: {
    summary: 'Apply pending migrations, start the engine and serve the API and the web UI',
    details: [
      'Runs until SIGTERM or SIGINT (Ctrl-C), then stops claiming, waits up to SCHEDULER_SHUTDOWN_GRACE_MS for requests in flight and exits 0.',
      'Logs go to standard output: JSON lines, or readable lines in a terminal.',
    ],
    options: {
      host: { type: 'string', value: 'HOST', description: 'Address to listen on, in place of HOST', default: '127.0.0.1' },
      port: { type: 'string', value: 'PORT', description: 'Port to listen on, in place of PORT; 0 picks a free port', default: '8000' },
      insecure: { type: 'boolean', description: 'Serve without authentication on a HOST other than loopback while no API key exists (same as SCHEDULER_INSECURE=true)' },
    },
    environment: SERVER_VARIABLES,
    examples: ['api-scheduler serve --port 8080', 'SCHEDULER_ROLE=worker DATABASE_URL=postgres://scheduler@127.0.0.1:5432/scheduler api-scheduler serve'],
  },
  migrate: {
    summary: 'Apply pending database migrations and exit',
    options: {},
    environment: DATABASE_COMMAND_VARIABLES,
    examples: ['DATABASE_URL=file:./data/scheduler.db api-scheduler migrate'],
  },
  copy: {
    summary: 'Copy every API key, target, schedule and run into an empty database (libSQL to PostgreSQL or back)',
    details: ['Migrates the destination first and keeps every id, state and next_run_at. Stop the servers that use the source first.'],
    options: {
      to: { type: 'string', value: 'URL', description: 'Destination database, file:PATH or postgres://USER@HOST:PORT/DATABASE; it must have no target or schedule', required: true },
      from: { type: 'string', value: 'URL', description: 'Source database', default: 'DATABASE_URL' },
      'skip-runs': { type: 'boolean', description: 'Copy API keys, targets and schedules only, not the run history' },
    },
    environment: DATABASE_COMMAND_VARIABLES,
    examples: ['api-scheduler copy --from file:./data/scheduler.db --to postgres://scheduler@127.0.0.1:5432/scheduler'],
  },
  keys: {
    summary: 'Create, list and revoke API keys',
    details: ['Works on DATABASE_URL directly, with or without a running server.'],
    subcommands: ['create', 'list', 'revoke'],
    options: {},
    environment: DATABASE_COMMAND_VARIABLES,
    examples: ['api-scheduler keys create --name ci --scope write', 'api-scheduler keys list'],
  },
  'keys create': {
    summary: 'Create an API key and print it once on standard output',
    details: [
      'The database keeps only the SHA-256 hash of the key. Scopes: read reads targets, schedules, runs and metrics; write also creates, changes, deletes and triggers them; admin also creates, lists and revokes API keys.',
    ],
    options: {
      name: { type: 'string', value: 'NAME', description: 'Label of the key, such as the client that uses it, at most 100 characters', required: true },
      scope: { type: 'string', value: 'read|write|admin', description: 'What the key may do', required: true },
    },
    // HOST and PORT only build the example request that the output shows.
    environment: [...DATABASE_COMMAND_VARIABLES, 'HOST', 'PORT'],
    examples: ['api-scheduler keys create --name ci --scope write'],
  },
  'keys list': {
    summary: 'List the API keys (id, name, prefix, scope, times), never a secret',
    options: {},
    environment: DATABASE_COMMAND_VARIABLES,
    examples: ['api-scheduler keys list'],
  },
  'keys revoke': {
    summary: 'Revoke an API key; requests with it fail from then on',
    arguments: [{ name: 'ID', description: 'the ID of the key, as keys list shows it' }],
    options: {},
    environment: DATABASE_COMMAND_VARIABLES,
    examples: ['api-scheduler keys revoke 0193c1d2-7a41-7c3e-9f00-5a1b2c3d4e5f'],
  },
  'rotate-secrets': {
    summary: "Re-encrypt every target's secret header values and signing secret with SCHEDULER_SECRET_KEY",
    details: ['Decrypts with SCHEDULER_SECRET_KEY or SCHEDULER_SECRET_KEY_PREVIOUS, and also encrypts the values stored plain.'],
    options: {},
    environment: [...DATABASE_COMMAND_VARIABLES, 'SCHEDULER_SECRET_KEY', 'SCHEDULER_SECRET_KEY_PREVIOUS'],
    examples: ['SCHEDULER_SECRET_KEY="$NEW_KEY" SCHEDULER_SECRET_KEY_PREVIOUS="$OLD_KEY" api-scheduler rotate-secrets'],
  },
  export: {
    summary: 'Write every target and schedule of DATABASE_URL to standard output as one JSON document',
    details: [
      'The document is {"targets": [...], "schedules": [...]} with ids, states, counters and instants as stored; runs and API keys are left out.',
      'Secret header values and signing secrets are written as stored: encrypted when SCHEDULER_SECRET_KEY was set, plain otherwise. Keep the file as private as the database.',
    ],
    options: {},
    environment: DATABASE_COMMAND_VARIABLES,
    examples: ['DATABASE_URL=file:old.db api-scheduler export > data.json'],
  },
  import: {
    summary: 'Read an export document from standard input into DATABASE_URL, which must have no target or schedule',
    details: ['An invalid document exits 2 before the database is opened; a database with targets or schedules exits 1.'],
    options: {},
    environment: DATABASE_COMMAND_VARIABLES,
    examples: ['DATABASE_URL=postgres://scheduler@127.0.0.1:5432/scheduler api-scheduler import < data.json'],
  },
  targets: {
    summary: 'List or create the targets of a running server',
    subcommands: ['list', 'create'],
    options: REMOTE_OPTIONS,
    environment: [API_KEY_VARIABLE],
    examples: ['api-scheduler targets list --key "$SCHEDULER_API_KEY"'],
  },
  'targets list': remoteCommand('List every target of a running server as one JSON array', {
    details: ['Follows X-Next-Cursor until the last page.'],
    examples: ['api-scheduler targets list --url http://127.0.0.1:8000'],
  }),
  'targets create': remoteCommand('Create a target on a running server', {
    options: { data: { type: 'string', value: 'JSON', description: 'The target, as the body of POST /targets/', required: true } },
    examples: [`api-scheduler targets create --data '{"url": "https://example.com/hook", "method": "POST"}'`],
  }),
  schedules: {
    summary: 'List, create, pause, resume or trigger the schedules of a running server',
    subcommands: ['list', 'create', 'pause', 'resume', 'trigger'],
    options: REMOTE_OPTIONS,
    environment: [API_KEY_VARIABLE],
    examples: ['api-scheduler schedules pause 0193c1d2-7a41-7c3e-9f00-5a1b2c3d4e5f'],
  },
  'schedules list': remoteCommand('List every schedule of a running server as one JSON array', {
    details: ['Follows X-Next-Cursor until the last page.'],
    examples: ['api-scheduler schedules list'],
  }),
  'schedules create': remoteCommand('Create a schedule on a running server', {
    options: { data: { type: 'string', value: 'JSON', description: 'The schedule, as the body of POST /schedules/', required: true } },
    examples: [
      `api-scheduler schedules create --data '{"target_id": "0193c1d2-7a41-7c3e-9f00-5a1b2c3d4e5f", "schedule_type": "INTERVAL", "schedule_config": {"interval_seconds": 60}}'`,
    ],
  }),
  'schedules pause': remoteCommand('Pause a schedule: it stops firing', {
    arguments: [SCHEDULE_ID],
    examples: ['api-scheduler schedules pause 0193c1d2-7a41-7c3e-9f00-5a1b2c3d4e5f'],
  }),
  'schedules resume': remoteCommand('Resume a schedule from its next slot; the paused period is not fired', {
    arguments: [SCHEDULE_ID],
    examples: ['api-scheduler schedules resume 0193c1d2-7a41-7c3e-9f00-5a1b2c3d4e5f'],
  }),
  'schedules trigger': remoteCommand('Fire a schedule once now, outside its plan, and print the run', {
    arguments: [SCHEDULE_ID],
    examples: ['api-scheduler schedules trigger 0193c1d2-7a41-7c3e-9f00-5a1b2c3d4e5f'],
  }),
};

/** One-line descriptions of the environment variables, with the unit where there is one. */
export const VARIABLE_SUMMARIES: Record<EnvironmentVariable, string> = {
  HOST: 'address to listen on',
  PORT: 'port to listen on',
  DATABASE_URL: 'file:PATH (libSQL) or postgres://USER:PASSWORD@HOST:PORT/DATABASE',
  SCHEDULER_ROLE: 'all, api (no engine) or worker (engine only)',
  SCHEDULER_INSTANCE_ID: 'name recorded on every run this process fires',
  SCHEDULER_UI_DIR: 'folder of the built web UI (default: apps/web/build)',
  LOG_LEVEL: 'fatal, error, warn, info, debug, trace or silent',
  LOG_PRETTY: 'true for readable log lines, false for JSON lines; unset: readable in a terminal',
  SCHEDULER_INSECURE: 'true serves without keys on a non-loopback HOST while no key exists',
  SCHEDULER_SHUTDOWN_GRACE_MS: 'ms a stop waits for requests in flight',
  SCHEDULER_MISFIRE_GRACE_MS: 'ms a fire may be late before the misfire policy applies',
  SCHEDULER_FIRE_ALL_LIMIT: 'maximum catch-up fires per schedule with fire_all',
  SCHEDULER_CATCH_UP_SPACING_MS: 'minimum ms between two fire_all catch-up fires of a schedule',
  SCHEDULER_RESCAN_INTERVAL_MS: 'maximum ms between two reads of the earliest next_run_at',
  SCHEDULER_CLAIM_BATCH_SIZE: 'schedules claimed per database transaction',
  SCHEDULER_MAX_CONCURRENCY: 'requests in flight at once, in all',
  SCHEDULER_MAX_PER_HOST: 'requests in flight at once to one origin',
  SCHEDULER_CONNECT_TIMEOUT_MS: 'connect timeout in ms',
  SCHEDULER_RESPONSE_EXCERPT_BYTES: 'bytes of each response body kept with the run',
  SCHEDULER_MAX_RESPONSE_BYTES: 'bytes after which reading a response body stops',
  SCHEDULER_MAX_REDIRECTS: 'redirects followed before TOO_MANY_REDIRECTS',
  SCHEDULER_RUN_RETENTION_DAYS: 'days a run is kept; 0 keeps runs forever',
  SCHEDULER_RUN_RETENTION_PER_SCHEDULE: 'newest runs kept per schedule; 0 means no limit',
  SCHEDULER_PRUNE_INTERVAL_MS: 'ms between two pruning passes',
  SCHEDULER_LEASE_MS: 'ms one heartbeat keeps this instance alive',
  SCHEDULER_HEARTBEAT_INTERVAL_MS: 'ms between heartbeats; 0 means a third of the lease',
  SCHEDULER_ALERT_CHECK_INTERVAL_MS: 'ms between checks for silent schedules and alert notifications due again',
  SCHEDULER_ALLOW_PRIVATE_TARGETS: 'true lets targets reach loopback and private addresses',
  SCHEDULER_TARGET_ALLOWLIST: 'comma-separated hosts, host:port pairs, addresses and CIDR ranges targets may reach',
  SCHEDULER_SECRET_KEY: '32-byte key (base64 or hex) that encrypts secrets at rest',
  SCHEDULER_SECRET_KEY_PREVIOUS: 'the key before a rotation, for decrypting only',
  SCHEDULER_API_KEY: 'API key of the targets and schedules commands when --key is not given',
};

const INDENT = '  ';
/** Width that help lines are wrapped to, in characters. */
const LINE_WIDTH = 100;

/** Splits text at spaces into lines of at most `width` characters. A longer word gets a line of its own. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}

/** Lays out rows as two columns, the second starting at the same place in every row and wrapped within LINE_WIDTH. */
function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + 3;
  const rightWidth = Math.max(30, LINE_WIDTH - INDENT.length - width);
  return rows.flatMap(([left, right]) =>
    wrap(right, rightWidth).map((part, index) => `${INDENT}${(index === 0 ? left : '').padEnd(width)}${part}`.trimEnd()),
  );
}

function paragraph(text: string): string[] {
  return wrap(text, LINE_WIDTH);
}

function optionSyntax(name: string, option: OptionUsage): string {
  return option.type === 'string' ? `--${name} ${option.value ?? 'VALUE'}` : `--${name}`;
}

function usageLine(name: string, command: CommandUsage): string {
  if (command.subcommands !== undefined) return `api-scheduler ${name} ${command.subcommands.join('|')} [options]`;
  const argumentsText = (command.arguments ?? []).map((argument) => ` ${argument.name}`).join('');
  const required = Object.entries(command.options).filter(([, option]) => option.required === true);
  const requiredText = required.map(([optionName, option]) => ` ${optionSyntax(optionName, option)}`).join('');
  const optionsText = Object.keys(command.options).length > required.length ? ' [options]' : '';
  return `api-scheduler ${name}${argumentsText}${requiredText}${optionsText}`;
}

/**
 * Renders the help of one command: usage, details, arguments, options with
 * their defaults, the environment variables it reads with their defaults,
 * and examples. `defaults` gives the default of each variable as text.
 */
export function formatCommandHelp(name: string, defaults: Partial<Record<EnvironmentVariable, string>>): string {
  const command = COMMANDS[name];
  if (command === undefined) throw new Error(`No usage for the command "${name}"`);
  const lines = [`Usage: ${usageLine(name, command)}`, '', ...paragraph(`${command.summary}.`)];
  for (const text of command.details ?? []) lines.push('', ...paragraph(text));

  if (command.subcommands !== undefined) {
    lines.push('', 'Commands:');
    lines.push(...columns(command.subcommands.map((sub) => [`${name} ${sub}`, COMMANDS[`${name} ${sub}`]!.summary])));
    lines.push('', `Run api-scheduler ${name} COMMAND --help for the options of each.`);
  }

  if (command.arguments !== undefined) {
    lines.push('', 'Arguments:');
    lines.push(...columns(command.arguments.map((argument) => [argument.name, argument.description])));
  }

  const optionRows: [string, string][] = Object.entries(command.options).map(([optionName, option]) => [
    optionSyntax(optionName, option),
    option.required === true ? `${option.description} (required)` : option.default === undefined ? option.description : `${option.description} (default: ${option.default})`,
  ]);
  optionRows.push(['-h, --help', 'Print this help']);
  lines.push('', 'Options:', ...columns(optionRows));

  lines.push('', 'Environment:');
  lines.push(
    ...columns(
      command.environment.map((variable) => {
        const fallback = defaults[variable];
        return [variable, fallback === undefined ? VARIABLE_SUMMARIES[variable] : `${VARIABLE_SUMMARIES[variable]} (default: ${fallback})`];
      }),
    ),
  );

  lines.push('', command.examples.length > 1 ? 'Examples:' : 'Example:', ...command.examples.map((example) => `${INDENT}${example}`));
  return `${lines.join('\n')}\n`;
}

/** Renders the top-level help: every command with one line, and the exit codes. */
export function formatOverview(): string {
  const rows: [string, string][] = Object.entries(COMMANDS)
    .filter(([, command]) => command.subcommands === undefined)
    .map(([name, command]) => [name, command.summary]);
  const lines = [
    'Usage: api-scheduler COMMAND [arguments] [options]',
    '',
    'Commands:',
    ...columns(rows),
    '',
    'Run api-scheduler COMMAND --help (or api-scheduler help COMMAND) for the',
    "command's options with their defaults, the environment variables it reads,",
    'and an example. The README lists every environment variable.',
    '',
    'Exit codes:',
    ...columns(EXIT_CODES.map(([code, meaning]) => [String(code), meaning])),
  ];
  return `${lines.join('\n')}\n`;
}
