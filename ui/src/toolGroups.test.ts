import { describe, expect, it } from 'vitest';
import type { ToolGroupView } from './bindings/ToolGroupView';
import { groupChangeWords, groupFacts, readOnlyWords } from './toolGroups';

const group = (over: Partial<ToolGroupView>): ToolGroupView => ({
  id: 'support',
  title: 'Customer support lookups',
  summary: '',
  tools: 11,
  by_default: true,
  changes_things: false,
  moves_money: false,
  on: true,
  ...over,
});

describe('groupFacts', () => {
  it('says the count, the default and the riskiest kind of tool', () => {
    expect(groupFacts(group({}))).toBe('11 tools · on by default · only looks things up');
    expect(groupFacts(group({ tools: 1, by_default: false, changes_things: true }))).toBe(
      '1 tool · changes things (no money moves)',
    );
    expect(groupFacts(group({ by_default: false, moves_money: true }))).toBe('11 tools · moves money or cannot be undone');
    expect(groupFacts(group({ changes_things: true, moves_money: true }))).toContain('changes things and moves money');
  });
});

describe('change words', () => {
  it('names the group and who it is for', () => {
    expect(groupChangeWords(group({}), false, null)).toBe('Customer support lookups turned off for every assistant');
    expect(groupChangeWords(group({}), true, 'cursor')).toBe('Customer support lookups turned on for “cursor”');
    expect(readOnlyWords(true, null)).toBe('read-only on for every assistant');
  });
});
