import { formatDateTime, formatSeconds } from './format';

/** The fields of a schedule that its cadence depends on. */
export interface CadenceSource {
  schedule_type: 'INTERVAL' | 'WINDOW' | 'CRON' | 'ONCE';
  schedule_config: Record<string, unknown>;
  timezone: string;
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const DAY_ABBREVIATIONS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const MONTH_ABBREVIATIONS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];

/** Expands a day-of-week field (numbers 0–7 or names, lists and ranges) into sorted day numbers 0–6, or null when it has steps or other syntax. */
function parseDaysOfWeek(field: string): number[] | null {
  const dayNumber = (token: string): number | null => {
    const upper = token.toUpperCase();
    const named = DAY_ABBREVIATIONS.indexOf(upper);
    if (named >= 0) return named;
    if (!/^\d$/.test(token)) return null;
    const value = Number(token);
    // Cron accepts both 0 and 7 for Sunday.
    return value <= 7 ? value % 7 : null;
  };

  const days = new Set<number>();
  for (const item of field.split(',')) {
    const [from, to, ...extra] = item.split('-');
    if (extra.length > 0 || from === undefined) return null;
    const start = dayNumber(from);
    const end = to === undefined ? start : dayNumber(to);
    if (start === null || end === null) return null;
    // A range ending at 7 (Sunday) such as 5-7 wraps past Saturday.
    const last = to !== undefined && end < start ? end + 7 : end;
    for (let day = start; day <= last; day += 1) days.add(day % 7);
  }
  return [...days].sort((a, b) => a - b);
}

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

/** Describes a day-of-week field, such as "on weekdays" or "on Monday and Friday", or returns null when it cannot. */
function describeDays(field: string): string | null {
  if (field === '*' || field === '?') return '';
  const days = parseDaysOfWeek(field);
  if (days === null) return null;
  const key = days.join(',');
  if (key === '1,2,3,4,5') return 'on weekdays';
  if (key === '0,6') return 'on weekends';
  if (days.length === 7) return '';
  return `on ${joinWords(days.map((day) => DAY_NAMES[day]!))}`;
}

function describeMonth(field: string): string | null {
  if (field === '*' || field === '?') return '';
  const months: string[] = [];
  for (const token of field.split(',')) {
    const named = MONTH_ABBREVIATIONS.indexOf(token.toUpperCase());
    const index = named >= 0 ? named : /^\d{1,2}$/.test(token) ? Number(token) - 1 : -1;
    if (index < 0 || index > 11) return null;
    months.push(MONTH_NAMES[index]!);
  }
  return `in ${joinWords(months)}`;
}

function describeDayOfMonth(field: string): string | null {
  if (field === '*' || field === '?') return '';
  if (field === 'L') return 'on the last day of the month';
  if (!/^\d{1,2}(,\d{1,2})*$/.test(field)) return null;
  return `on day ${joinWords(field.split(','))} of the month`;
}

const isNumber = (field: string) => /^\d{1,2}$/.test(field);
const stepOf = (field: string) => /^(?:\*|0)\/(\d+)$/.exec(field)?.[1];

/** Describes the time-of-day fields of a cron expression, or returns null when they are not a common pattern. */
function describeTime(second: string, minute: string, hour: string): string | null {
  const secondStep = stepOf(second);
  if (secondStep !== undefined && minute === '*' && hour === '*') return `every ${secondStep} s`;
  if (second === '*' && minute === '*' && hour === '*') return 'every second';
  if (!isNumber(second)) return null;
  const atSecond = second === '0' ? '' : `:${second.padStart(2, '0')}`;

  if (minute === '*' && hour === '*') return second === '0' ? 'every minute' : `every minute at second ${second}`;
  const minuteStep = stepOf(minute);
  if (minuteStep !== undefined && hour === '*') return `every ${minuteStep} min`;
  if (!isNumber(minute)) return null;

  if (hour === '*') return `every hour at minute ${minute}`;
  const hourStep = stepOf(hour);
  if (hourStep !== undefined) return `every ${hourStep} h at minute ${minute}`;
  if (!/^\d{1,2}(,\d{1,2})*$/.test(hour)) return null;

  const times = hour.split(',').map((h) => `${h.padStart(2, '0')}:${minute.padStart(2, '0')}${atSecond}`);
  return `at ${joinWords(times)}`;
}

/**
 * Describes a cron expression in words, such as "at 02:30 on weekdays", or
 * returns null for one that has no short description (ranges of hours, L,
 * # and so on): then the caller shows the expression itself.
 */
export function describeCronExpression(expression: string): string | null {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) return null;
  const [second, minute, hour, dayOfMonth, month, dayOfWeek] = fields.length === 6 ? fields : ['0', ...fields];

  const time = describeTime(second!, minute!, hour!);
  const dom = describeDayOfMonth(dayOfMonth!);
  const dow = describeDays(dayOfWeek!);
  const months = describeMonth(month!);
  if (time === null || dom === null || dow === null || months === null) return null;

  // Cron combines a restricted day of month and day of week with OR.
  const days = dom !== '' && dow !== '' ? `${dom} or ${dow}` : dom || dow;
  return [time, days, months].filter((part) => part !== '').join(' ');
}

/**
 * Describes how often a schedule fires, such as "every 10 s" or
 * "at 02:30 on weekdays, Europe/London". Times of WINDOW and ONCE schedules
 * are shown in the schedule's time zone.
 */
export function describeCadence(source: CadenceSource): string {
  const config = source.schedule_config;
  switch (source.schedule_type) {
    case 'INTERVAL':
      return `every ${formatSeconds(Number(config.interval_seconds))}`;
    case 'WINDOW': {
      const maxRuns = config.max_runs === null || config.max_runs === undefined ? '' : `, at most ${config.max_runs} runs`;
      const from = formatDateTime(String(config.start_time), source.timezone);
      const to = formatDateTime(String(config.end_time), source.timezone);
      return `every ${formatSeconds(Number(config.interval_seconds))} from ${from} to ${to}${maxRuns}, ${source.timezone}`;
    }
    case 'CRON': {
      const expression = String(config.expression);
      const words = describeCronExpression(expression);
      return `${words ?? `cron ${expression}`}, ${source.timezone}`;
    }
    case 'ONCE':
      return `once at ${formatDateTime(String(config.run_at), source.timezone)}, ${source.timezone}`;
  }
}
