// "Sign in with Flex" in the window, as a small state machine: the Rust side does the work
// (flex-core browser_sign_in); this only decides what the window shows. Each attempt has a number,
// so the answer of an attempt that was replaced (a second click, Cancel then a new start) never
// overwrites the newer one.
import type { SignInLink } from './bindings/SignInLink';

export type FlexSignInView =
  | { step: 'idle'; attempt: number; note: string | null }
  | { step: 'starting'; attempt: number }
  | { step: 'waiting'; attempt: number; link: SignInLink; linkShown: boolean }
  | { step: 'done'; attempt: number; sentence: string }
  | { step: 'failed'; attempt: number; sentence: string };

export type FlexSignInEvent =
  | { type: 'start' }
  | { type: 'started'; attempt: number; link: SignInLink }
  | { type: 'showLink' }
  | { type: 'finished'; attempt: number; sentence: string }
  | { type: 'failed'; attempt: number; code: string | null; sentence: string };

export const initialFlexSignIn: FlexSignInView = { step: 'idle', attempt: 0, note: null };

export function flexSignInStep(view: FlexSignInView, event: FlexSignInEvent): FlexSignInView {
  switch (event.type) {
    case 'start':
      return { step: 'starting', attempt: view.attempt + 1 };
    case 'showLink':
      return view.step === 'waiting' ? { ...view, linkShown: true } : view;
    default:
      break;
  }
  // Answers of an older attempt are dropped.
  if (event.attempt !== view.attempt) return view;
  switch (event.type) {
    case 'started':
      // When the browser could not be opened the link is the way on, so it is shown at once.
      return { step: 'waiting', attempt: view.attempt, link: event.link, linkShown: !event.link.browserOpened };
    case 'finished':
      return { step: 'done', attempt: view.attempt, sentence: event.sentence };
    case 'failed':
      // Cancel is the person's own choice: back to the button, with a quiet note, not an error.
      if (event.code === 'cancelled') return { step: 'idle', attempt: view.attempt, note: event.sentence };
      return { step: 'failed', attempt: view.attempt, sentence: event.sentence };
  }
}

/** The code of a failed command ({code, message}; src-tauri error.rs), if any. */
export function errorCode(err: unknown): string | null {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return null;
}

/** The host part of Flex's sign-in service, for "Signed in with Flex at mcp.withflex.com". */
export function serviceName(issuer: string): string {
  try {
    return new URL(issuer).host || issuer;
  } catch {
    return issuer;
  }
}
