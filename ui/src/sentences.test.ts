import { describe, expect, it } from 'vitest';
import type { ActivityRow } from './bindings/ActivityRow';
import { matches } from './pages/Activity';
import { activitySentence, outcomeWords } from './sentences';

function row(over: Partial<ActivityRow>): ActivityRow {
  return {
    id: '01J',
    startedAt: '2026-12-01T09:41:00.000Z',
    clientName: 'cursor',
    tool: 'list_payment_intents',
    access: 'read',
    mode: 'test',
    outcome: 'ok',
    errorCode: null,
    durationUs: 1200,
    objectIds: [],
    amountsCents: [],
    arguments: '{}',
    ...over,
  };
}

describe('activitySentence', () => {
  it('says a refund in plain words with the amount and the payment', () => {
    expect(
      activitySentence(row({ tool: 'create_refund', amountsCents: [4500], objectIds: ['fpi_123'] })),
    ).toBe('Refunded $45.00 on payment fpi_123');
  });
  it('turns reads into words, never a raw tool name', () => {
    expect(activitySentence(row({ tool: 'list_payment_intents' }))).toBe('Listed payment intents');
    expect(activitySentence(row({ tool: 'get_customer', objectIds: ['fcu_9'] }))).toBe(
      'Looked up customer fcu_9',
    );
  });
  it('keeps an unknown prefix as the id itself', () => {
    expect(activitySentence(row({ tool: 'retry_event', objectIds: ['evt_1'] }))).toBe('Retry event on evt_1');
  });
});

describe('outcomeWords and filters', () => {
  it('never shows a code as the outcome', () => {
    for (const o of ['ok', 'api_error', 'invalid_arguments', 'refused']) {
      expect(outcomeWords(o)).not.toContain('_');
    }
  });
  it('filters by mode, outcome and text in the sentence', () => {
    const r = row({ tool: 'create_refund', mode: 'live', amountsCents: [4500], objectIds: ['fpi_1'] });
    expect(matches(r, 'live', '', '')).toBe(true);
    expect(matches(r, 'test', '', '')).toBe(false);
    expect(matches(r, '', 'refused', '')).toBe(false);
    expect(matches(r, '', '', 'refunded $45')).toBe(true);
    expect(matches(r, '', '', 'capture')).toBe(false);
  });
});
