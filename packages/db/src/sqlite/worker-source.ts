import type { InArgs, TransactionMode, Value } from '@libsql/client';

/** A call from WorkerClient to its worker; `tx` names an open transaction, absent for the client itself. */
export type WorkerRequest =
  | { id: number; op: 'execute'; tx?: number; stmt: { sql: string; args: InArgs } }
  | { id: number; op: 'batch'; tx?: number; stmts: Array<{ sql: string; args: InArgs }>; mode?: TransactionMode }
  | { id: number; op: 'migrate'; stmts: Array<{ sql: string; args: InArgs }> }
  | { id: number; op: 'executeMultiple'; tx?: number; sql: string }
  | { id: number; op: 'transaction'; mode?: TransactionMode }
  | { id: number; op: 'commit' | 'rollback' | 'closeTransaction'; tx: number }
  | { id: number; op: 'close' };

export type WorkerResponse = { id: number; result: unknown } | { id: number; error: SerializedError };

/** A ResultSet as it crosses between threads: each row as an array of its values. */
export interface SerializedResultSet {
  columns: string[];
  columnTypes: string[];
  rows: Value[][];
  rowsAffected: number;
  lastInsertRowid: bigint | undefined;
}

export interface SerializedError {
  name: string;
  /** The message without the "CODE: " prefix that LibsqlError's constructor adds again. */
  message: string;
  /** True for a LibsqlError, which is rebuilt as one so that constraint checks still see its codes. */
  libsql: boolean;
  code?: string;
  extendedCode?: string;
  rawCode?: number;
  /** Set for a LibsqlBatchError: the statement of the batch that failed. */
  statementIndex?: number;
}

/**
 * The source of WorkerClient's worker thread, run as CommonJS with
 * `eval: true` because a file would need a path that works both from dist/
 * and from src/ under vitest. It opens the client that workerData
 * configures and runs the requests on it in arrival order. It is plain
 * JavaScript because nothing compiles it.
 */
export const WORKER_SOURCE = `
const { createRequire } = require('node:module');
const { parentPort, workerData } = require('node:worker_threads');
const { createClient, LibsqlError, LibsqlBatchError } = require(workerData.clientModulePath);

// The client prepares every statement anew. Parsing took about a fifth of
// this thread's busy time in bench/benchmarks/precision.mjs with 10,000
// schedules, where most statements touch a row or two. So each connection
// keeps its statements by SQL text, the least recently used dropped first.
// @libsql/client 0.18 runs each statement to completion (run() or all())
// before it prepares the next, so a cached statement is never in use twice
// at once.
const Database = createRequire(workerData.clientModulePath)('libsql');
const STATEMENT_CACHE_SIZE = 64;
const statementCaches = new WeakMap();
const prepareUncached = Database.prototype.prepare;
Database.prototype.prepare = function prepare(sql) {
  let cache = statementCaches.get(this);
  if (cache === undefined) {
    cache = new Map();
    statementCaches.set(this, cache);
  }
  let statement = cache.get(sql);
  if (statement !== undefined) {
    cache.delete(sql);
  } else {
    statement = prepareUncached.call(this, sql);
    if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value);
  }
  cache.set(sql, statement);
  return statement;
};

let client = null;
let openError = null;
try {
  client = createClient(workerData.config);
} catch (error) {
  openError = error;
}
const transactions = new Map();
let nextTransaction = 1;

function serializeResultSet(result) {
  return {
    columns: result.columns,
    columnTypes: result.columnTypes,
    rows: result.rows.map((row) => Array.from(row)),
    rowsAffected: result.rowsAffected,
    lastInsertRowid: result.lastInsertRowid,
  };
}

function serializeError(error) {
  const libsql = error instanceof LibsqlError;
  let message = String(error && error.message);
  if (libsql && message.startsWith(error.code + ': ')) message = message.slice(error.code.length + 2);
  return {
    name: error && error.name ? String(error.name) : 'Error',
    message,
    libsql,
    code: libsql ? error.code : undefined,
    extendedCode: libsql ? error.extendedCode : undefined,
    rawCode: libsql ? error.rawCode : undefined,
    statementIndex: error instanceof LibsqlBatchError ? error.statementIndex : undefined,
  };
}

function transactionOf(request) {
  const transaction = transactions.get(request.tx);
  if (transaction === undefined) throw new LibsqlError('The transaction is closed', 'TRANSACTION_CLOSED');
  return transaction;
}

async function run(request) {
  if (openError !== null) throw openError;
  const target = request.tx === undefined ? client : transactionOf(request);
  switch (request.op) {
    case 'execute':
      return serializeResultSet(await target.execute(request.stmt));
    case 'batch':
      return (await (request.tx === undefined ? client.batch(request.stmts, request.mode) : target.batch(request.stmts))).map(serializeResultSet);
    case 'migrate':
      return (await client.migrate(request.stmts)).map(serializeResultSet);
    case 'executeMultiple':
      await target.executeMultiple(request.sql);
      return undefined;
    case 'transaction': {
      const id = nextTransaction++;
      transactions.set(id, await client.transaction(request.mode));
      return id;
    }
    case 'commit':
    case 'rollback':
      transactions.delete(request.tx);
      await target[request.op]();
      return undefined;
    case 'closeTransaction':
      transactions.delete(request.tx);
      target.close();
      return undefined;
    default:
      throw new Error('Unknown request ' + request.op);
  }
}

// Requests run one after another, so a statement never starts while an earlier one waits.
let queue = Promise.resolve();
parentPort.on('message', (request) => {
  if (request.op === 'close') {
    queue = queue.then(() => {
      try {
        if (client !== null) client.close();
      } finally {
        parentPort.close();
      }
    });
    return;
  }
  queue = queue.then(async () => {
    try {
      parentPort.postMessage({ id: request.id, result: await run(request) });
    } catch (error) {
      parentPort.postMessage({ id: request.id, error: serializeError(error) });
    }
  });
});
`;
