/** Prints a benchmark's result as the RESULT line that bench/run.mjs reads: a one-line summary and its data. */
export function report(line, data) {
  process.stdout.write(`RESULT ${JSON.stringify({ line, data })}\n`);
}

export const isQuick = process.argv.includes('--quick');
