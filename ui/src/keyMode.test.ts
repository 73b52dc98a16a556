import { describe, expect, it } from 'vitest';
import { keyLook } from './keyMode';

describe('keyLook', () => {
  it('reads the mode from the prefix', () => {
    expect(keyLook('fsk_test_abc')).toBe('test');
    expect(keyLook('  fsk_live123 ')).toBe('live');
  });
  it('names what is not a Flex key', () => {
    expect(keyLook('sk_test_stripe')).toBe('notAKey');
    expect(keyLook('fsk_test_')).toBe('notAKey');
    expect(keyLook('')).toBe('empty');
  });
});
