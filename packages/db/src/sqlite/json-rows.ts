import { getTableColumns, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';

// The claim and the recorder move hundreds of rows per statement. Passed as
// one JSON text, a batch crosses into SQLite as a single bound value and
// comes back as a single cell. Bound value by value, the driver converts
// each value on its own, drizzle assembles a VALUES list of thousands of
// parameters that SQLite then parses, and each result cell becomes a
// property of a row object. Claiming 20,000 due schedules in batches of
// 500 took about 150 µs of CPU per schedule that way and about 55 µs with
// JSON batches (2-vCPU AMD EPYC VM; a script timing claimDueSchedules alone).
//
// The helpers map each value with its column's own driver mapping, so
// timestamp_ms columns travel as Unix milliseconds, json columns as JSON
// text and boolean columns as 0 or 1, as drizzle stores them.

/** A table's columns with the property names that drizzle gives them in a row object. */
export type TableColumns = Array<[key: string, column: SQLiteColumn]>;

export function columnsOf(table: SQLiteTable): TableColumns {
  return Object.entries(getTableColumns(table));
}

/** SQL for `json_array(source.column, …)` over `columns`, in their order. */
export function jsonArrayOf(columns: TableColumns, source: string): SQL {
  const cells = columns.map(([, column]) => sql`${sql.identifier(source)}.${sql.identifier(column.name)}`);
  return sql`json_array(${sql.join(cells, sql`, `)})`;
}

/** SQL for `value ->> 0, value ->> 1, …`: the cells of a json_each row made by toJsonRow. */
export function jsonEachCells(count: number, source = 'value'): SQL {
  const cells = Array.from({ length: count }, (_, index) => sql.raw(`${source} ->> ${index}`));
  return sql.join(cells, sql`, `);
}

/** Converts a record to the array of driver values of `columns`, for a JSON batch that json_each reads. */
export function toJsonRow(columns: TableColumns, record: object): unknown[] {
  return columns.map(([key, column]) => {
    const value = (record as Record<string, unknown>)[key];
    return value === null || value === undefined ? null : column.mapToDriverValue(value);
  });
}

/** Converts a JSON array made by jsonArrayOf back into a record, as drizzle maps a selected row. */
export function fromJsonRow<T>(columns: TableColumns, cells: unknown[]): T {
  const record: Record<string, unknown> = {};
  for (let index = 0; index < columns.length; index += 1) {
    const [key, column] = columns[index]!;
    const value = cells[index];
    record[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return record as T;
}
