import { describe, expect, it } from 'vitest';
import type { ActivityRow } from './bindings/ActivityRow';
import { activitySentence, approvalWords, confirmationTitle, outcomeWords, WHO_ASKED } from './sentences';

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
    httpStatus: 200,
    durationUs: 1200,
    objectIds: [],
    amountsCents: [],
    arguments: '{}',
    approval: null,
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
});

describe('approval decisions and confirmations', () => {
  it('says every recorded decision in words, never its code', () => {
    for (const d of ['approved', 'denied', 'expired', 'allowed_for_a_while', 'covered_by_allowance', 'unavailable']) {
      const w = approvalWords(d);
      expect(w).toBeTruthy();
      expect(w).not.toContain('_');
    }
    expect(approvalWords('allowed_for_a_while')).toContain('15 minutes');
    expect(approvalWords('expired')).toContain('nobody answered');
  });
  it('shows nothing when nobody was asked', () => {
    expect(approvalWords(null)).toBeNull();
  });
  it('counts the changes and names who could have asked', () => {
    expect(confirmationTitle(1)).toBe('A change waits for your confirmation');
    expect(confirmationTitle(3)).toBe('3 changes wait for your confirmation');
    expect(WHO_ASKED).toContain('flex-mcp');
    expect(WHO_ASKED).toContain('another program');
  });
});
