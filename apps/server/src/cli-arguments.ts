import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

import { COMMANDS, formatCommandHelp, formatOverview } from './cli-usage.js';
import { describeDefaults } from './env.js';

export type OptionValues = Record<string, string | boolean | undefined>;

/** Result of parsing a command line: a help text, a command to run, or a usage error. */
export type CommandLine =
  | { kind: 'help'; text: string }
  | { kind: 'invalid'; message: string }
  | { kind: 'run'; command: string; arguments: string[]; options: OptionValues };

const HELP_FLAGS = ['--help', '-h'];

function helpPointer(command: string): string {
  return `Run api-scheduler ${command} --help for the usage.`;
}

function invalid(message: string, command: string | null): CommandLine {
  return { kind: 'invalid', message: `${message}. ${command === null ? 'Run api-scheduler --help for the list of commands.' : helpPointer(command)}` };
}

/** Resolves `help [COMMAND [ACTION]]` to the help of that command. */
function helpFor(words: string[]): CommandLine {
  if (words.length === 0) return { kind: 'help', text: formatOverview() };
  const name = words.join(' ');
  if (COMMANDS[name] === undefined) return invalid(`No command "${name}"`, null);
  return { kind: 'help', text: formatCommandHelp(name, describeDefaults()) };
}

/** Turns the failure of node:util parseArgs into one line that names the command. */
function describeParseError(error: unknown, command: string): CommandLine {
  if (!(error instanceof TypeError) || !('code' in error) || !String(error.code).startsWith('ERR_PARSE_ARGS')) throw error;
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']+)'/.exec(error.message)?.[1] ?? error.message;
    return invalid(`Unknown option "${option}" for ${command}`, command);
  }
  // For example "Option '--port <value>' argument missing".
  const detail = error.message.split('\n')[0]!.replace(/\.$/, '');
  return invalid(`Invalid options for ${command}: ${detail}`, command);
}

/**
 * Parses the arguments of api-scheduler (without the node and script
 * paths): the command, a command group's action (keys create), then the
 * options and arguments of that command as COMMANDS declares them.
 */
export function parseCommandLine(argv: string[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) return invalid('Missing command', null);
  if (HELP_FLAGS.includes(first)) return { kind: 'help', text: formatOverview() };
  if (first === 'help') return helpFor(rest);
  if (first.startsWith('-')) return invalid(`Missing command before "${first}": the command comes first, as in api-scheduler serve --port 8000`, null);

  const group = COMMANDS[first];
  if (group === undefined) return invalid(`Unknown command "${first}"`, null);

  let command = first;
  let args = rest;
  if (group.subcommands !== undefined) {
    const [action, ...afterAction] = rest;
    const known = action !== undefined && group.subcommands.includes(action);
    if (!known) {
      if (rest.some((word) => HELP_FLAGS.includes(word))) return helpFor([first]);
      const got = action === undefined || action.startsWith('-') ? '' : ` (got "${action}")`;
      return invalid(`${first} needs one of ${group.subcommands.join(', ')}${got}`, first);
    }
    command = `${first} ${action}`;
    args = afterAction;
  }

  const usage = COMMANDS[command]!;
  const options: NonNullable<ParseArgsConfig['options']> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(usage.options)) options[name] = { type: option.type };

  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true }) as typeof parsed;
  } catch (error) {
    return describeParseError(error, command);
  }
  if (parsed.values.help === true) return { kind: 'help', text: formatCommandHelp(command, describeDefaults()) };

  const expected = usage.arguments ?? [];
  if (parsed.positionals.length > expected.length) {
    return invalid(`Unexpected argument "${parsed.positionals[expected.length]}" for ${command}`, command);
  }
  const missing = expected[parsed.positionals.length];
  if (missing !== undefined) return invalid(`${command} needs ${missing.description}`, command);

  return { kind: 'run', command, arguments: parsed.positionals, options: parsed.values };
}
