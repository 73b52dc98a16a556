import { describe, expect, it } from 'vitest';
import { activityInHash } from './api';

describe('activityInHash', () => {
  it('reads the record the tray opened the window for', () => {
    expect(activityInHash('#activity/01JDEMO%2F7')).toBe('01JDEMO/7');
    expect(activityInHash('#activity/abc')).toBe('abc');
  });
  it('is null for any other start', () => {
    expect(activityInHash('')).toBeNull();
    expect(activityInHash('#approval')).toBeNull();
    expect(activityInHash('#activity/')).toBeNull();
  });
});
