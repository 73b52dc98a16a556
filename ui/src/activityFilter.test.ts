import { describe, expect, it } from 'vitest';
import type { ActivityRow } from './bindings/ActivityRow';
import { NO_FILTER, passes, toFilter } from './activityFilter';

function row(over: Partial<ActivityRow>): ActivityRow {
  return {
    id: '01J',
    startedAt: '2026-12-01T09:41:00.000Z',
    clientName: 'cursor',
    tool: 'create_refund',
    access: 'destructive',
    mode: 'live',
    outcome: 'ok',
    errorCode: null,
    httpStatus: 200,
    durationUs: 1200,
    objectIds: ['fpi_1'],
    amountsCents: [4500],
    arguments: '{"payment_intent":"fpi_1","amount":4500}',
    approval: 'approved',
    ...over,
  };
}

const NOW = new Date('2026-12-01T10:00:00.000Z');

describe('toFilter', () => {
  it('sends nothing for "all"', () => {
    expect(toFilter(NO_FILTER, NOW)).toEqual({
      modes: [],
      classes: [],
      outcomes: [],
      assistants: [],
      since: null,
      until: null,
      text: null,
    });
  });
  it('turns each choice into the store filter, since counted back from now in UTC', () => {
    const f = toFilter(
      { mode: 'live', access: 'write', outcome: 'refused', assistant: 'Claude', since: 'hour', text: '  fpi_ ' },
      NOW,
    );
    expect(f.modes).toEqual(['live']);
    expect(f.classes).toEqual(['write']);
    expect(f.outcomes).toEqual(['refused']);
    expect(f.assistants).toEqual(['Claude']);
    expect(f.since).toBe('2026-12-01T09:00:00.000Z');
    expect(f.text).toBe('fpi_');
  });
});

describe('passes (a row that arrives live)', () => {
  it('is shown when the filters would show it, hidden otherwise', () => {
    const r = row({});
    expect(passes(r, toFilter(NO_FILTER, NOW))).toBe(true);
    expect(passes(r, toFilter({ ...NO_FILTER, mode: 'test' }, NOW))).toBe(false);
    expect(passes(r, toFilter({ ...NO_FILTER, access: 'destructive' }, NOW))).toBe(true);
    expect(passes(r, toFilter({ ...NO_FILTER, access: 'read' }, NOW))).toBe(false);
    expect(passes(r, toFilter({ ...NO_FILTER, outcome: 'refused' }, NOW))).toBe(false);
    expect(passes(r, toFilter({ ...NO_FILTER, assistant: 'cursor' }, NOW))).toBe(true);
    expect(passes(r, toFilter({ ...NO_FILTER, assistant: 'Claude' }, NOW))).toBe(false);
    expect(passes(r, toFilter({ ...NO_FILTER, since: 'hour' }, NOW))).toBe(true);
    expect(passes(row({ startedAt: '2026-11-30T09:00:00.000Z' }), toFilter({ ...NO_FILTER, since: 'day' }, NOW))).toBe(
      false,
    );
  });
  it('finds text case-insensitively in the tool, assistant, arguments and ids', () => {
    expect(passes(row({}), toFilter({ ...NO_FILTER, text: 'FPI_1' }, NOW))).toBe(true);
    expect(passes(row({}), toFilter({ ...NO_FILTER, text: 'refund' }, NOW))).toBe(true);
    expect(passes(row({}), toFilter({ ...NO_FILTER, text: 'capture' }, NOW))).toBe(false);
  });
});
