import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { ENVIRONMENT_VARIABLES, INTEGER_RANGES, describeDefaults } from '../src/env.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

// Defaults that the README states although loadEnv has none: the UI folder is found next to the installed server.
const DEFAULTS_COMPUTED_ELSEWHERE: Record<string, string> = { SCHEDULER_UI_DIR: 'apps/web/build' };

interface ConfigurationRow {
  name: string;
  defaultValue: string;
  unit: string;
  effect: string;
}

/** Reads the table of the README's "Configuration" section: one row per variable. */
function readConfigurationTable(): ConfigurationRow[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Configuration\n');
  if (start === -1) throw new Error('README.md has no "## Configuration" section');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);

  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      // No cell of this table contains a "|", so splitting on it is safe.
      const cells = line.slice(1, -1).split('|').map((cell) => cell.trim());
      if (cells.length !== 4) throw new Error(`Configuration row without 4 cells: ${line}`);
      const [name, defaultValue, unit, effect] = cells as [string, string, string, string];
      return { name: name.replace(/`/g, ''), defaultValue: defaultValue.replace(/`/g, ''), unit, effect };
    });
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(entry.name) ? [path] : [];
  });
}

describe('README configuration table', () => {
  const rows = readConfigurationTable();

  it('lists every variable the code reads, once', () => {
    const names = rows.map((row) => row.name);

    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual([...ENVIRONMENT_VARIABLES].sort());
  });

  it('states the defaults of env.ts', () => {
    const defaults = describeDefaults();

    for (const row of rows) {
      const name = row.name as keyof typeof defaults;
      const expected = defaults[name] ?? DEFAULTS_COMPUTED_ELSEWHERE[name] ?? 'unset';
      expect(row.defaultValue, row.name).toBe(expected);
    }
  });

  it('states the range of every whole number', () => {
    for (const row of rows) {
      const range = INTEGER_RANGES[row.name];
      if (range === undefined) continue;
      expect(row.unit, row.name).toContain(`${range.min} to ${range.max}`);
    }
  });

  it('describes the effect of every variable', () => {
    for (const row of rows) expect(row.effect.length, row.name).toBeGreaterThan(10);
  });
});

describe('environment access', () => {
  it('happens only in env.ts', () => {
    // The db package's testing helpers take the environment as a parameter that defaults to process.env; they serve tests only.
    const allowed = new Set(['apps/server/src/env.ts', 'packages/db/src/testing/postgres-database.ts']);
    const folders = ['apps/server/src', 'apps/web/src', 'packages/core/src', 'packages/db/src', 'packages/engine/src', 'packages/api/src'];

    const readers = folders
      .flatMap((folder) => sourceFiles(join(root, folder)))
      .filter((path) => readFileSync(path, 'utf8').includes('process.env'))
      .map((path) => relative(root, path))
      .filter((path) => !allowed.has(path));

    expect(readers).toEqual([]);
  });
});
