// What a pasted key looks like before it is sent, so the mode can be shown while typing. Only a
// hint: Rust decides (flex_api::Mode::of_key) and refuses anything else.
export type KeyLook = 'test' | 'live' | 'notAKey' | 'empty';

export function keyLook(input: string): KeyLook {
  const k = input.trim();
  if (!k) return 'empty';
  if (k.startsWith('fsk_test_') && k.length > 'fsk_test_'.length) return 'test';
  if (k.startsWith('fsk_') && !k.startsWith('fsk_test_') && k.length > 'fsk_'.length) return 'live';
  return 'notAKey';
}

export const KEY_LOOK_WORDS: Record<KeyLook, string> = {
  test: 'A test key: simulated payments, no real money.',
  live: 'A LIVE key: real customers and real money.',
  notAKey: 'This is not a Flex secret key: it starts with fsk_test_ (test) or fsk_ (live).',
  empty: '',
};
