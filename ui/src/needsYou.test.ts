import { describe, expect, it } from 'vitest';
import type { ActivityRow } from './bindings/ActivityRow';
import type { Assistant } from './bindings/Assistant';
import type { Notice } from './bindings/Notice';
import { needsYou } from './needsYou';

function assistant(over: Partial<Assistant>): Assistant {
  return {
    id: 'claude-desktop',
    name: 'Claude Desktop',
    found: true,
    state: 'connected',
    stateLabel: 'connected',
    detail: null,
    needsRestart: null,
    configPath: '/home/a/.config/Claude/claude_desktop_config.json',
    reloadHint: 'Quit Claude Desktop fully and open it again.',
    ...over,
  };
}

function notice(over: Partial<Notice>): Notice {
  return {
    id: 'n1',
    at: '2026-12-01T09:41:00.000Z',
    code: 'entry_restored',
    needs_action: false,
    client: 'claude-desktop',
    path: null,
    backup: null,
    line: null,
    column: null,
    message: 'Claude Desktop removed Flex from its config; Flex MCP put it back.',
    ...over,
  };
}

function row(over: Partial<ActivityRow>): ActivityRow {
  return {
    id: 'r1',
    startedAt: '2026-12-01T09:41:00.000Z',
    clientName: 'cursor',
    tool: 'list_payment_intents',
    access: 'read',
    mode: 'live',
    outcome: 'api_error',
    errorCode: 'api_error',
    httpStatus: 401,
    durationUs: 1200,
    objectIds: [],
    amountsCents: [],
    arguments: '{}',
    approval: null,
    ...over,
  };
}

describe('needsYou', () => {
  it('is empty when all is well', () => {
    expect(needsYou([assistant({})], [], [row({ httpStatus: 200, outcome: 'ok' })])).toEqual([]);
  });
  it('an entry put back by the guardian asks for the client restart, in its words', () => {
    const [n] = needsYou([assistant({})], [notice({})], []);
    expect(n.what).toContain('put it back');
    expect(n.fix).toBe('Quit Claude Desktop fully and open it again.');
  });
  it('a broken config names file, line and column and sends to Assistants', () => {
    const [n] = needsYou(
      [],
      [notice({ code: 'config_unparsable', needs_action: true, message: 'Claude Desktop\u2019s config cannot be read.', path: '/x/c.json', line: 3, column: 14 })],
      [],
    );
    expect(n.what).toContain('/x/c.json, line 3, column 14');
    expect(n.page).toBe('assistants');
  });
  it('an assistant open since before its entry was added asks for its restart, in its words', () => {
    const words = 'Claude Desktop was already open when Flex MCP was added to it. Quit it fully and open it again.';
    const [n] = needsYou([assistant({ needsRestart: words })], [], []);
    expect(n.what).toBe('Claude Desktop needs a restart to use Flex MCP.');
    expect(n.fix).toBe(words);
    expect(n.page).toBe('assistants');
    expect(needsYou([assistant({})], [], [])).toEqual([]);
  });
  it('an outdated entry is fixed by Repair', () => {
    const [n] = needsYou([assistant({ state: 'outdated', detail: 'It runs a flex-mcp that is gone.' })], [], []);
    expect(n.fix).toContain('Repair');
  });
  it('a key Flex did not accept on the newest answered call sends to Account', () => {
    const [n] = needsYou([], [], [row({ httpStatus: null, outcome: 'refused' }), row({ id: 'r2' })]);
    expect(n.what).toContain('did not accept the API key for live mode');
    expect(n.page).toBe('account');
  });
  it('a later call Flex accepted means the key is fine again', () => {
    expect(needsYou([], [], [row({ id: 'r3', httpStatus: 200, outcome: 'ok' }), row({})])).toEqual([]);
  });
  it('records saved again end the disk notice; dismissed items stay away', () => {
    const notSaved = notice({ id: 'a', code: 'activity_not_saved', client: null, at: '2026-12-01T09:00:00.000Z' });
    const again = notice({ id: 'b', code: 'activity_saved_again', client: null, at: '2026-12-01T09:05:00.000Z' });
    expect(needsYou([], [notSaved], [])).toHaveLength(1);
    expect(needsYou([], [notSaved, again], [])).toEqual([]);
    expect(needsYou([], [notice({})], [], new Set(['notice:n1']))).toEqual([]);
  });
});
