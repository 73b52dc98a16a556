// "Start Flex MCP when I log in": one checkbox, off until the person ticks it, its state read back
// from the desktop's autostart entry after every change (Settings and the first launch's Done step).
import { useEffect, useState } from 'react';
import { errorMessage, startAtLogin, startAtLoginSet, type StartAtLogin } from '../api';

export function StartAtLoginToggle() {
  const [state, setState] = useState<StartAtLogin | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    startAtLogin().then(setState, (e) => setError(errorMessage(e)));
  }, []);

  const toggle = (on: boolean) => {
    setError(null);
    startAtLoginSet(on).then(setState, (e) => setError(errorMessage(e)));
  };

  return (
    <div className="start-at-login">
      <label>
        <input
          id="start-at-login"
          type="checkbox"
          disabled={state === null}
          checked={state?.enabled ?? false}
          onChange={(e) => toggle(e.target.checked)}
        />{' '}
        Start Flex MCP when I log in
      </label>
      <p className="hint" id="start-at-login-hint">
        {state?.enabled
          ? 'It will start in the tray, without opening this window, so your assistants can always reach it.'
          : 'Off: your assistants start Flex MCP themselves when they need it.'}
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
