import { describe, expect, it } from 'vitest';
import { duration, localTime, money } from './format';

describe('money', () => {
  it('shows integer cents as dollars with separators', () => {
    expect(money(123456)).toBe('$1,234.56');
    expect(money(5)).toBe('$0.05');
    expect(money(0)).toBe('$0.00');
    expect(money(-50)).toBe('-$0.50');
    expect(money(100000)).toBe('$1,000.00');
    expect(money(123456789)).toBe('$1,234,567.89');
  });
  it('agrees with the Rust formatter on the same numbers (flex-core format_usd)', () => {
    // The pairs flex-core's usd_from_integer_cents test checks.
    const pairs: [number, string][] = [
      [1234, '$12.34'],
      [-50, '-$0.50'],
      [123456789, '$1,234,567.89'],
    ];
    for (const [c, s] of pairs) expect(money(c)).toBe(s);
  });
});

describe('localTime', () => {
  it('shows the time in the given zone, not UTC', () => {
    const iso = '2026-12-01T09:41:00.000Z';
    expect(localTime(iso, 'en-US', 'America/New_York')).toBe('Dec 1, 2026, 4:41 AM');
    expect(localTime(iso, 'en-US', 'Asia/Tokyo')).toBe('Dec 1, 2026, 6:41 PM');
  });
  it('shows nothing for no time and the text itself for a bad one', () => {
    expect(localTime(null)).toBe('');
    expect(localTime('soon')).toBe('soon');
  });
});

describe('duration', () => {
  it('picks a readable unit', () => {
    expect(duration(850)).toBe('0.9 ms');
    expect(duration(12_300)).toBe('12 ms');
    expect(duration(2_500_000)).toBe('2.5 s');
  });
});
