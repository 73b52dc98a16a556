// The Activity filters: what the person picked on the page → the store's ActivityFilter (the same
// filter the list pages through and the CSV export writes), and the same test for a row that
// arrives live, so a new call appears only when the filters would have shown it.
import type { ActivityFilter } from './bindings/ActivityFilter';
import type { ActivityRow } from './bindings/ActivityRow';
import type { Access } from './bindings/Access';
import type { Mode } from './bindings/Mode';
import type { Outcome } from './bindings/Outcome';

/** The page's choices; '' means "all". */
export interface FilterChoices {
  mode: '' | Mode;
  access: '' | Access;
  outcome: '' | Outcome;
  assistant: string;
  /** '' (any time), 'hour', 'day', 'week', 'month'. */
  since: '' | keyof typeof SPANS;
  text: string;
}

export const NO_FILTER: FilterChoices = {
  mode: '',
  access: '',
  outcome: '',
  assistant: '',
  since: '',
  text: '',
};

/** The time range choices, in milliseconds back from now. */
export const SPANS = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
} as const;

/** The store's filter for these choices, with "since" counted back from `now`. */
export function toFilter(c: FilterChoices, now: Date): ActivityFilter {
  const text = c.text.trim();
  return {
    modes: c.mode ? [c.mode] : [],
    classes: c.access ? [c.access] : [],
    outcomes: c.outcome ? [c.outcome] : [],
    assistants: c.assistant ? [c.assistant] : [],
    // Stored times are RFC 3339 UTC with milliseconds, and compare as text.
    since: c.since ? new Date(now.getTime() - SPANS[c.since]).toISOString() : null,
    until: null,
    text: text ? text : null,
  };
}

/** Whether a row (one that just arrived) passes `f`, as the store would judge it. */
export function passes(row: ActivityRow, f: ActivityFilter): boolean {
  if (f.modes.length > 0 && !f.modes.includes(row.mode as Mode)) return false;
  if (f.classes.length > 0 && !f.classes.includes(row.access as Access)) return false;
  if (f.outcomes.length > 0 && !f.outcomes.includes(row.outcome as Outcome)) return false;
  if (f.assistants.length > 0 && !f.assistants.includes(row.clientName ?? '')) return false;
  if (f.since && row.startedAt < f.since) return false;
  if (f.until && row.startedAt >= f.until) return false;
  if (f.text) {
    const t = f.text.toLowerCase();
    const hay = [row.tool, row.clientName ?? '', row.arguments, row.objectIds.join(' '), row.errorCode ?? '']
      .join(' ')
      .toLowerCase();
    if (!hay.includes(t)) return false;
  }
  return true;
}
