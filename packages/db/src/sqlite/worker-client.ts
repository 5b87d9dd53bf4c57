import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

import { LibsqlBatchError, LibsqlError } from '@libsql/client';
import type { Client, Config, InArgs, InStatement, ResultSet, Row, Transaction, TransactionMode } from '@libsql/client';

import { WORKER_SOURCE } from './worker-source.js';
import type { SerializedError, SerializedResultSet, WorkerRequest, WorkerResponse } from './worker-source.js';

// The worker loads the same @libsql/client that this package depends on.
const clientModulePath = createRequire(import.meta.url).resolve('@libsql/client');

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void };
// A request before #send numbers it; Omit is applied to each member of the union on its own.
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type RequestBody = WithoutId<WorkerRequest>;

/**
 * A libSQL client whose connection lives in a worker thread. The driver runs
 * each statement synchronously on the thread that calls it, so on the event
 * loop every claim and every batch of recorded results would stop timers and
 * sockets while SQLite works. Here each call is a message to the worker, and
 * SQLite works in parallel with the requests in flight. In
 * bench/benchmarks/throughput.mjs on a 2-core VM, this took about 30 µs of
 * the event loop's CPU time off each run, from about 190 µs. The cost is
 * two thread hand-offs per call: earliestNextRunAt, one indexed read, took
 * a median of about 0.25 ms in bench/benchmarks/precision.mjs.
 *
 * It implements the parts of the Client interface that drizzle and the
 * store use, and returns results in the driver's ResultSet shape. sync()
 * and reconnect() are not supported, because only local files use it.
 */
export class WorkerClient implements Client {
  readonly protocol = 'file';
  closed = false;

  /** Settles when the worker thread has exited, and with it the connection (see closeClient). */
  readonly exited: Promise<void>;

  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: Error | null = null;

  constructor(config: Config) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { clientModulePath, config } });
    this.exited = new Promise((resolve) => this.#worker.once('exit', () => resolve()));
    // Idle, the worker does not keep the process alive; #send refs it while a call is pending.
    this.#worker.unref();
    this.#worker.on('message', (response: WorkerResponse) => this.#settle(response));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.on('exit', (code) => {
      if (!this.closed) this.#fail(new LibsqlError(`The database worker thread exited with code ${code}`, 'CLIENT_CLOSED'));
    });
  }

  async execute(stmtOrSql: InStatement, args?: InArgs): Promise<ResultSet> {
    return toResultSet(await this.#send<SerializedResultSet>({ op: 'execute', stmt: statementOf(stmtOrSql, args) }));
  }

  async batch(stmts: Array<InStatement | [string, InArgs?]>, mode?: TransactionMode): Promise<ResultSet[]> {
    const results = await this.#send<SerializedResultSet[]>({ op: 'batch', stmts: stmts.map((stmt) => (Array.isArray(stmt) ? statementOf(stmt[0], stmt[1]) : statementOf(stmt))), mode });
    return results.map(toResultSet);
  }

  async migrate(stmts: InStatement[]): Promise<ResultSet[]> {
    const results = await this.#send<SerializedResultSet[]>({ op: 'migrate', stmts: stmts.map((stmt) => statementOf(stmt)) });
    return results.map(toResultSet);
  }

  async executeMultiple(sql: string): Promise<void> {
    await this.#send({ op: 'executeMultiple', sql });
  }

  async transaction(mode?: TransactionMode): Promise<Transaction> {
    const tx = await this.#send<number>({ op: 'transaction', mode });
    return new WorkerTransaction(tx, (request) => this.#send(request));
  }

  sync(): never {
    throw new LibsqlError('sync() is not supported for a local database file', 'SYNC_NOT_SUPPORTED');
  }

  reconnect(): never {
    throw new LibsqlError('reconnect() is not supported for a local database file', 'RECONNECT_NOT_SUPPORTED');
  }

  /** Closes the connection after the calls already sent; the worker thread then exits. Await `exited` to know when. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.#worker.ref();
    this.#worker.postMessage({ id: 0, op: 'close' } satisfies WorkerRequest);
  }

  #send<T>(request: RequestBody): Promise<T> {
    if (this.closed) return Promise.reject(new LibsqlError('The client is closed', 'CLIENT_CLOSED'));
    if (this.#failure !== null) return Promise.reject(this.#failure);

    const id = this.#nextId;
    this.#nextId += 1;
    if (this.#pending.size === 0) this.#worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ ...request, id } as WorkerRequest);
    });
  }

  #settle(response: WorkerResponse): void {
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    this.#pending.delete(response.id);
    if (this.#pending.size === 0 && !this.closed) this.#worker.unref();

    if ('error' in response) pending.reject(toError(response.error));
    else pending.resolve(response.result);
  }

  #fail(error: Error): void {
    this.#failure = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}

/**
 * Closes a client and waits until its connection is really closed. The
 * driver finalizes its prepared statements only when they are garbage
 * collected, and SQLite keeps a connection with live statements open, so a
 * WorkerClient's connection closes when its worker thread exits. The last
 * connection to close checkpoints and removes the WAL, which locks the file
 * for a moment. Without this wait, a connection opened right after close()
 * failed with SQLITE_BUSY in about 4 of 100 tries when it had no busy
 * timeout.
 */
export async function closeClient(client: Client): Promise<void> {
  client.close();
  if (client instanceof WorkerClient) await client.exited;
}

class WorkerTransaction implements Transaction {
  closed = false;

  constructor(
    private readonly tx: number,
    private readonly send: <T>(request: RequestBody) => Promise<T>,
  ) {}

  async execute(stmt: InStatement): Promise<ResultSet> {
    return toResultSet(await this.send<SerializedResultSet>({ op: 'execute', tx: this.tx, stmt: statementOf(stmt) }));
  }

  async batch(stmts: InStatement[]): Promise<ResultSet[]> {
    const results = await this.send<SerializedResultSet[]>({ op: 'batch', tx: this.tx, stmts: stmts.map((stmt) => statementOf(stmt)) });
    return results.map(toResultSet);
  }

  async executeMultiple(sql: string): Promise<void> {
    await this.send({ op: 'executeMultiple', tx: this.tx, sql });
  }

  async commit(): Promise<void> {
    this.closed = true;
    await this.send({ op: 'commit', tx: this.tx });
  }

  async rollback(): Promise<void> {
    this.closed = true;
    await this.send({ op: 'rollback', tx: this.tx });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // The worker rolls the transaction back; a failure here means the client is gone, which ends the transaction too.
    this.send({ op: 'closeTransaction', tx: this.tx }).catch(() => undefined);
  }
}

function statementOf(stmtOrSql: InStatement, args?: InArgs): { sql: string; args: InArgs } {
  if (typeof stmtOrSql === 'string') return { sql: stmtOrSql, args: args ?? [] };
  return { sql: stmtOrSql.sql, args: stmtOrSql.args ?? [] };
}

/**
 * A result row as the driver makes it: values by column name (own,
 * enumerable), and by index and a length (not enumerable). The driver defines
 * each index with Object.defineProperty on every row, which turns the row
 * into a slow dictionary object: rebuilding rows that way took 12% of the
 * main thread in bench/benchmarks/api-load.mjs. Here the index values and
 * the length are getters on the shared prototype that read a private array,
 * and only the names are own properties.
 * NOTE: unlike the driver's rows, Object.hasOwn(row, 0) is false here, and
 * `5 in row` is true for a shorter row once a wider result has been read.
 */
class WorkerRow {
  readonly #cells: unknown[];

  constructor(cells: unknown[]) {
    this.#cells = cells;
  }

  get length(): number {
    return this.#cells.length;
  }

  /** Defines index getters on the prototype up to `count`, once per index. */
  static defineIndexes(count: number): void {
    for (let index = definedIndexes; index < count; index += 1) {
      Object.defineProperty(WorkerRow.prototype, index, {
        get(this: WorkerRow) {
          return this.#cells[index];
        },
      });
    }
    definedIndexes = Math.max(definedIndexes, count);
  }
}

let definedIndexes = 0;

/** Rebuilds rows with the shape of the driver's rows (see WorkerRow). */
function toResultSet(result: SerializedResultSet): ResultSet {
  WorkerRow.defineIndexes(result.columns.length);
  // As in the driver, `length`, an index of this row and a repeated name keep their first meaning.
  const named: Array<[number, string]> = [];
  const numericNamed: Array<[number, string]> = [];
  const seen = new Set<string>();
  for (const [index, column] of result.columns.entries()) {
    if (seen.has(column) || column === 'length') continue;
    seen.add(column);
    const numeric = indexOfName(column);
    if (numeric === null) named.push([index, column]);
    else if (numeric >= result.columns.length) numericNamed.push([index, column]);
  }

  const rows = result.rows.map((cells) => {
    const row = new WorkerRow(cells) as unknown as Record<string, unknown>;
    for (const [index, column] of named) row[column] = cells[index];
    // An assignment would hit the prototype's getter for that index (a query such as SELECT 1), so these are defined.
    for (const [index, column] of numericNamed) {
      Object.defineProperty(row, column, { value: cells[index], enumerable: true, configurable: true, writable: true });
    }
    return row as unknown as Row;
  });
  return {
    columns: result.columns,
    columnTypes: result.columnTypes,
    rows,
    rowsAffected: result.rowsAffected,
    lastInsertRowid: result.lastInsertRowid,
    toJSON: () => ({ ...result, lastInsertRowid: result.lastInsertRowid === undefined ? null : String(result.lastInsertRowid) }),
  };
}

/** Returns the array index that `column` names ("0", "1", …), or null for any other name. */
function indexOfName(column: string): number | null {
  const index = Number(column);
  return Number.isSafeInteger(index) && index >= 0 && String(index) === column ? index : null;
}

function toError(error: SerializedError): Error {
  if (error.libsql && error.statementIndex !== undefined) {
    return new LibsqlBatchError(error.message, error.statementIndex, error.code ?? 'UNKNOWN', error.extendedCode, error.rawCode);
  }
  if (error.libsql) return new LibsqlError(error.message, error.code ?? 'UNKNOWN', error.extendedCode, error.rawCode);
  const rebuilt = new Error(error.message);
  rebuilt.name = error.name;
  return rebuilt;
}
