import { describe, expect, it } from 'vitest';
import { flexSignInStep, initialFlexSignIn, serviceName, type FlexSignInView } from './flexSignIn';

const link = (browserOpened: boolean) => ({
  link: 'http://127.0.0.1:9/oauth/authorize?state=s',
  browserOpened,
  sentence: 'Sign in there.',
});

function started(browserOpened: boolean): FlexSignInView {
  const s = flexSignInStep(initialFlexSignIn, { type: 'start' });
  return flexSignInStep(s, { type: 'started', attempt: s.attempt, link: link(browserOpened) });
}

describe('flexSignInStep', () => {
  it('waits for the browser and hides the link while the browser opened', () => {
    const v = started(true);
    expect(v.step).toBe('waiting');
    expect(v.step === 'waiting' && v.linkShown).toBe(false);
    const shown = flexSignInStep(v, { type: 'showLink' });
    expect(shown.step === 'waiting' && shown.linkShown).toBe(true);
  });
  it('shows the link at once when the browser could not be opened', () => {
    const v = started(false);
    expect(v.step === 'waiting' && v.linkShown).toBe(true);
  });
  it('ends signed in, or failed with the sentence', () => {
    const v = started(true);
    expect(flexSignInStep(v, { type: 'finished', attempt: v.attempt, sentence: 'Signed in with Flex.' })).toEqual({
      step: 'done',
      attempt: 1,
      sentence: 'Signed in with Flex.',
    });
    const f = flexSignInStep(v, { type: 'failed', attempt: v.attempt, code: 'unknown', sentence: 'Access was denied.' });
    expect(f).toEqual({ step: 'failed', attempt: 1, sentence: 'Access was denied.' });
  });
  it('treats Cancel as going back to the button, not as an error', () => {
    const v = started(true);
    const c = flexSignInStep(v, { type: 'failed', attempt: v.attempt, code: 'cancelled', sentence: 'The sign-in was cancelled.' });
    expect(c).toEqual({ step: 'idle', attempt: 1, note: 'The sign-in was cancelled.' });
  });
  it('drops the answer of a replaced attempt', () => {
    const first = started(true);
    const second = flexSignInStep(first, { type: 'start' });
    const late = flexSignInStep(second, { type: 'failed', attempt: first.attempt, code: 'cancelled', sentence: 'x' });
    expect(late).toBe(second);
    const lateStart = flexSignInStep(second, { type: 'started', attempt: first.attempt, link: link(true) });
    expect(lateStart.step).toBe('starting');
  });
});

describe('serviceName', () => {
  it('shows the host of the sign-in service', () => {
    expect(serviceName('https://mcp.withflex.com')).toBe('mcp.withflex.com');
    expect(serviceName('http://127.0.0.1:4010/')).toBe('127.0.0.1:4010');
    expect(serviceName('not a url')).toBe('not a url');
  });
});
