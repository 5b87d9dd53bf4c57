/**
 * Arithmetic on the grid anchor + k·period (k ≥ 0), optionally closed by an
 * inclusive end. INTERVAL and WINDOW schedules both fire on such a grid.
 */
export interface Grid {
  anchor: number;
  period: number;
  end: number | null;
}

/** Builds a grid, and throws for a config whose times or period cannot be read (a corrupted stored config). */
export function makeGrid(anchor: number, period: number, end: number | null): Grid {
  if (!Number.isFinite(anchor) || !Number.isFinite(period) || period <= 0 || (end !== null && !Number.isFinite(end))) {
    throw new RangeError(`Invalid schedule grid: anchor ${anchor}, period ${period} ms, end ${end}`);
  }
  return { anchor, period, end };
}

export function gridFirstAtOrAfter(grid: Grid, from: number): number | null {
  const slot = from <= grid.anchor ? grid.anchor : grid.anchor + Math.ceil((from - grid.anchor) / grid.period) * grid.period;
  return grid.end !== null && slot > grid.end ? null : slot;
}

export function gridNextAfter(grid: Grid, after: number): number | null {
  const slot = after < grid.anchor ? grid.anchor : grid.anchor + (Math.floor((after - grid.anchor) / grid.period) + 1) * grid.period;
  return grid.end !== null && slot > grid.end ? null : slot;
}

export function gridLastAtOrBefore(grid: Grid, at: number): number | null {
  const bound = grid.end === null ? at : Math.min(at, grid.end);
  if (bound < grid.anchor) return null;
  return grid.anchor + Math.floor((bound - grid.anchor) / grid.period) * grid.period;
}

export function gridCountBetween(grid: Grid, from: number, to: number): number {
  const first = gridFirstAtOrAfter(grid, from);
  const last = gridLastAtOrBefore(grid, to);
  if (first === null || last === null || last < first) return 0;
  return (last - first) / grid.period + 1;
}
