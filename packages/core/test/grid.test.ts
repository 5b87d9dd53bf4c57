import { describe, expect, it } from 'vitest';

import { gridCountBetween, gridFirstAtOrAfter, gridLastAtOrBefore, gridNextAfter } from '../src/strategies/grid.js';
import type { Grid } from '../src/strategies/grid.js';

const second = 1_000;
const minute = 60_000;

// An anchor before 1970 makes every offset negative, which checks the
// rounding of Math.floor and Math.ceil below zero.
const negativeAnchor: Grid = { anchor: -90 * second, period: minute, end: null };
const open: Grid = { anchor: Date.parse('2026-01-15T12:00:00.000Z'), period: minute, end: null };
const closed: Grid = { ...open, end: open.anchor + 10 * minute + 30 * second };

describe('gridFirstAtOrAfter', () => {
  it.each([
    ['open, long before the anchor', open, open.anchor - 86_400_000, open.anchor],
    ['open, at a slot', open, open.anchor + 5 * minute, open.anchor + 5 * minute],
    ['open, 1 ms after a slot', open, open.anchor + 5 * minute + 1, open.anchor + 6 * minute],
    ['negative anchor, at 0', negativeAnchor, 0, 30 * second],
    ['negative anchor, at -30 s', negativeAnchor, -30 * second, -30 * second],
    ['closed, last slot before an end off the grid', closed, open.anchor + 10 * minute, open.anchor + 10 * minute],
    ['closed, between the last slot and the end', closed, open.anchor + 10 * minute + 1, null],
  ])('%s', (_case, grid, from, expected) => {
    expect(gridFirstAtOrAfter(grid, from)).toBe(expected);
  });
});

describe('gridNextAfter', () => {
  it.each([
    ['open, before the anchor', open, open.anchor - 1, open.anchor],
    ['open, at the anchor', open, open.anchor, open.anchor + minute],
    ['open, between slots', open, open.anchor + 90 * second, open.anchor + 2 * minute],
    ['negative anchor, at 0', negativeAnchor, 0, 30 * second],
    ['negative anchor, at -30 s', negativeAnchor, -30 * second, 30 * second],
    ['closed, at the last slot', closed, open.anchor + 10 * minute, null],
    ['closed, at the end', closed, closed.end!, null],
  ])('%s', (_case, grid, after, expected) => {
    expect(gridNextAfter(grid, after)).toBe(expected);
  });
});

describe('gridLastAtOrBefore', () => {
  it.each([
    ['open, 1 ms before the anchor', open, open.anchor - 1, null],
    ['open, at the anchor', open, open.anchor, open.anchor],
    ['open, 1 ms before a slot', open, open.anchor + 3 * minute - 1, open.anchor + 2 * minute],
    ['negative anchor, at 0', negativeAnchor, 0, -30 * second],
    ['closed, far past the end', closed, closed.end! + 86_400_000, open.anchor + 10 * minute],
  ])('%s', (_case, grid, at, expected) => {
    expect(gridLastAtOrBefore(grid, at)).toBe(expected);
  });
});

describe('gridCountBetween', () => {
  it.each([
    ['open, one slot on both ends', open, open.anchor, open.anchor, 1],
    ['open, an hour with both ends on slots', open, open.anchor, open.anchor + 60 * minute, 61],
    ['open, inside one gap', open, open.anchor + 1, open.anchor + minute - 1, 0],
    ['open, reversed range', open, open.anchor + 5 * minute, open.anchor, 0],
    ['negative anchor, across 0', negativeAnchor, -2 * minute, 2 * minute, 4],
    ['closed, past the end', closed, closed.end! - minute, closed.end! + 86_400_000, 1],
    ['closed, everything', closed, 0, Number.MAX_SAFE_INTEGER, 11],
  ])('%s', (_case, grid, from, to, expected) => {
    expect(gridCountBetween(grid, from, to)).toBe(expected);
  });
});

describe('grid without drift', () => {
  it.each([
    ['1 s from a whole second', { anchor: Date.parse('2026-01-15T12:00:00.000Z'), period: second, end: null }],
    ['7 s from an anchor with milliseconds', { anchor: Date.parse('2026-01-15T12:00:00.250Z'), period: 7 * second, end: null }],
    ['1 h', { anchor: Date.parse('2026-01-15T12:00:00.000Z'), period: 3_600_000, end: null }],
    ['366 days', { anchor: Date.parse('2026-01-15T12:00:00.000Z'), period: 31_622_400 * second, end: null }],
  ])('1000th next slot is anchor + 1000 periods, %s', (_case, grid: Grid) => {
    let slot = grid.anchor;
    for (let k = 0; k < 1000; k += 1) slot = gridNextAfter(grid, slot)!;

    expect(slot).toBe(grid.anchor + 1000 * grid.period);
  });

  it('stays on the grid when late', () => {
    // Each step computes the next slot from a time 400 ms after the planned
    // one, as a late fire would. The result must still be on the grid.
    const grid: Grid = { anchor: Date.parse('2026-01-15T12:00:00.000Z'), period: 7 * second, end: null };
    let slot = grid.anchor;
    for (let k = 0; k < 1000; k += 1) slot = gridNextAfter(grid, slot + 400)!;

    expect(slot).toBe(grid.anchor + 1000 * grid.period);
  });
});
