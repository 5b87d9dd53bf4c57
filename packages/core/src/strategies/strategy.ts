/**
 * The planned instants of one schedule type. All times are Unix
 * milliseconds. A strategy is pure: the same config and arguments always
 * give the same instants, which is what keeps the grid from drifting.
 */
export interface ScheduleStrategy<Config> {
  /** The first planned instant at or after `from`, or null when none remains. */
  firstAtOrAfter(config: Config, from: number): number | null;
  /** The first planned instant strictly after `after`, or null when none remains. */
  nextAfter(config: Config, after: number): number | null;
  /** The last planned instant at or before `at`, or null when there is none. */
  lastAtOrBefore(config: Config, at: number): number | null;
  /** The number of planned instants in [from, to], both ends included. */
  countBetween(config: Config, from: number, to: number): number;
  /** The number of fires after which the schedule completes, or null for no limit. */
  maxRuns(config: Config): number | null;
}
