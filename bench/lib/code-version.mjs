// Records which code a benchmark measured, so that numbers taken while the
// code changes can be matched to it. It hashes the uncommitted changes under
// packages/ (null when there are none) and the built JavaScript that the
// benchmarks import (core, db and engine dist/), beside the commit.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const builtPackages = ['core', 'db', 'engine'];

/** Returns { commit, packages_diff_sha1, dist_sha1 }, with an error text in place of a value that could not be read. */
export function describeCodeVersion() {
  return { ...describeGitState(), dist_sha1: hashBuiltCode() };
}

function describeGitState() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    const diff = git('diff', 'HEAD', '--', 'packages/');
    return { commit, packages_diff_sha1: diff === '' ? null : sha1(diff) };
  } catch (error) {
    return { commit: `git failed: ${error.message}` };
  }
}

function hashBuiltCode() {
  try {
    const hash = createHash('sha1');
    for (const name of builtPackages) {
      const dist = join(root, 'packages', name, 'dist');
      const files = readdirSync(dist, { recursive: true })
        .filter((file) => file.endsWith('.js'))
        .sort();
      for (const file of files) hash.update(file).update(readFileSync(join(dist, file)));
    }
    return hash.digest('hex').slice(0, 12);
  } catch (error) {
    return `reading dist/ failed: ${error.message}`;
  }
}

function sha1(text) {
  return createHash('sha1').update(text).digest('hex').slice(0, 12);
}
