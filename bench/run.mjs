#!/usr/bin/env node
// Runs the benchmarks one after another, each in a fresh process so that
// memory and timers do not leak from one into the next. Each benchmark
// prints one line of results; the JSON goes to bench/results/.
//
//   npm run bench                 every benchmark at full size
//   npm run bench -- --quick      smaller sizes, under 2 minutes in all
//   npm run bench -- --only throughput,precision
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { describeMachine } from './lib/machine.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const available = readdirSync(join(here, 'benchmarks'))
  .filter((file) => file.endsWith('.mjs'))
  .map((file) => basename(file, '.mjs'))
  .sort();

if (values.help) {
  process.stdout.write(`Usage: npm run bench -- [--quick] [--only NAME,NAME]\nBenchmarks: ${available.join(', ')}\n`);
  process.exit(0);
}

const selected = values.only ? values.only.split(',').map((name) => name.trim()) : available;
const unknown = selected.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  process.stderr.write(`Unknown benchmark ${unknown.join(', ')}. Available: ${available.join(', ')}\n`);
  process.exit(2);
}

const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const machine = describeMachine();
process.stdout.write(`machine: ${machine.cores} cores, ${machine.cpu}, ${machine.memory_gib} GiB, Node.js ${machine.node}\n`);

/** Runs one benchmark file; its last stdout line starting with RESULT is its JSON result. */
function runBenchmark(name) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', join(here, 'benchmarks', `${name}.mjs`), ...(values.quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.on('exit', (code) => {
      const line = output.split('\n').reverse().find((text) => text.startsWith('RESULT '));
      if (code !== 0 || line === undefined) {
        resolve({ name, ok: false, error: `exited with code ${code}`, seconds: (Date.now() - started) / 1000 });
        return;
      }
      resolve({ name, ok: true, ...JSON.parse(line.slice('RESULT '.length)), seconds: (Date.now() - started) / 1000 });
    });
  });
}

let failed = 0;
const all = [];
for (const name of selected) {
  const result = await runBenchmark(name);
  all.push(result);
  if (!result.ok) failed += 1;
  process.stdout.write(result.ok ? `${name}: ${result.line} (${result.seconds.toFixed(0)} s)\n` : `${name}: FAILED, ${result.error}\n`);
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify({ machine, quick: values.quick, ...result }, null, 2)}\n`);
}
writeFileSync(join(resultsDir, 'summary.json'), `${JSON.stringify({ machine, quick: values.quick, results: all }, null, 2)}\n`);
process.exit(failed > 0 ? 1 : 0);
