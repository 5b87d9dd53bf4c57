import type { InArgs, InStatement, ResultSet, Transaction } from '@libsql/client';
import { fillPlaceholders } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { SQLiteAsyncDialect } from 'drizzle-orm/sqlite-core';

import { DatabaseQueryError } from '../query-error.js';

// The statements that run on every wake of the scheduler (the claim, the
// recorder's update, earliestNextRunAt) are rendered to SQL text once, with
// drizzle placeholders for their values, and sent to the libSQL client
// directly. Built by drizzle on each call, they took about 10% of the event
// loop's busy time in bench/benchmarks/precision.mjs with 10,000 schedules,
// where a claim usually contains one schedule. The client's own transaction
// can also send several statements as one batch: one round trip to the
// database thread instead of one per statement.

const dialect = new SQLiteAsyncDialect();

export interface CompiledQuery {
  sql: string;
  params: unknown[];
}

/** Renders `query`; its sql.placeholder(name) values are given when it runs. */
export function compile(query: SQL): CompiledQuery {
  return dialect.sqlToQuery(query);
}

export function statementOf(query: CompiledQuery, values: Record<string, unknown>): InStatement {
  return { sql: query.sql, args: fillPlaceholders(query.params, values) as InArgs };
}

type Executor = Pick<Transaction, 'execute' | 'batch'>;

/** Runs one compiled statement. A failure is a DatabaseQueryError with the SQL text but not the values. */
export async function runCompiled(executor: Executor, query: CompiledQuery, values: Record<string, unknown>): Promise<ResultSet> {
  try {
    return await executor.execute(statementOf(query, values));
  } catch (error) {
    throw new DatabaseQueryError(query.sql, error);
  }
}

/** Runs compiled statements as one batch, in order; a failure names the statement that failed. */
export async function runCompiledBatch(executor: Executor, queries: Array<[CompiledQuery, Record<string, unknown>]>): Promise<ResultSet[]> {
  try {
    return await executor.batch(queries.map(([query, values]) => statementOf(query, values)));
  } catch (error) {
    const index = (error as { statementIndex?: unknown }).statementIndex;
    const failed = typeof index === 'number' ? queries[index]?.[0] : undefined;
    throw new DatabaseQueryError(failed?.sql ?? queries.map(([query]) => query.sql).join('; '), error);
  }
}
