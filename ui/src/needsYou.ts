// Home's "Needs you": everything that waits for the person, each with its fix in plain words —
// an assistant to restart (the guardian put its entry back), an entry that is outdated or that
// the guardian stopped putting back, a config file broken (file, line, column), a key Flex did
// not accept, call records not being saved. Pure, so it is tested without a window.
import type { ActivityRow } from './bindings/ActivityRow';
import type { Assistant } from './bindings/Assistant';
import type { Notice } from './bindings/Notice';
import { localTime } from './format';

/** Where the fix is done. */
export type FixPage = 'assistants' | 'account' | null;

export interface NeedsYou {
  /** Stable, for React and for dismissing. */
  key: string;
  /** What happened. */
  what: string;
  /** What to do. */
  fix: string;
  page: FixPage;
}

const PAGE_WORDS: Record<Exclude<FixPage, null>, string> = {
  assistants: 'Open Assistants',
  account: 'Open Account',
};

/** The button's words for a fix page. */
export function pageWords(page: Exclude<FixPage, null>): string {
  return PAGE_WORDS[page];
}

function where(n: Notice): string {
  if (!n.path) return '';
  const at = n.line != null ? `, line ${n.line}${n.column != null ? `, column ${n.column}` : ''}` : '';
  return ` (${n.path}${at})`;
}

/**
 * The list, newest concern first. `rows` are the newest calls (newest first): when the newest call
 * Flex answered was a 401, the key in use was not accepted. `dismissed` holds keys the person closed.
 */
export function needsYou(
  assistants: Assistant[],
  notices: Notice[],
  rows: ActivityRow[],
  dismissed: ReadonlySet<string> = new Set(),
): NeedsYou[] {
  const out: NeedsYou[] = [];
  const byId = new Map(assistants.map((a) => [a.id, a]));

  // Notices: the newest per (kind, assistant) counts; "saved again" ends "not saved".
  const latest = new Map<string, Notice>();
  for (const n of notices) latest.set(`${n.code}:${n.client ?? ''}`, n);
  const savedAgain = latest.get('activity_saved_again:');
  for (const n of [...latest.values()].reverse()) {
    const a = n.client ? byId.get(n.client) : undefined;
    const name = a?.name ?? n.client ?? 'An assistant';
    const key = `notice:${n.id}`;
    switch (n.code) {
      case 'entry_restored': {
        // The guardian's sentence ends with the client's own restart words: those are the fix.
        const hint = a?.reloadHint ?? `Restart ${name} so it loads Flex again.`;
        out.push({ key, what: n.message.replace(hint, '').trim(), fix: hint, page: null });
        break;
      }
      case 'entry_restore_stopped':
        out.push({
          key,
          what: n.message,
          fix: `If you want Flex in ${name}, connect it again on the Assistants page; otherwise nothing to do.`,
          page: 'assistants',
        });
        break;
      case 'config_unparsable':
        out.push({
          key,
          // The parser's words usually name the line already; add where it is when they do not.
          what: n.line != null && n.message.includes(`line ${n.line}`) ? n.message : `${n.message}${where(n)}`,
          fix: 'Fix the file at that line and column (or restore a backup on the Assistants page). Flex MCP leaves it untouched until then.',
          page: 'assistants',
        });
        break;
      case 'entry_restore_failed':
        out.push({ key, what: n.message, fix: 'Connect it again on the Assistants page.', page: 'assistants' });
        break;
      case 'activity_not_saved':
        if (!savedAgain || savedAgain.at < n.at) {
          out.push({
            key,
            what: n.message,
            fix: 'Free some disk space; the calls are kept in memory and saved as soon as it works again.',
            page: null,
          });
        }
        break;
      default:
        break;
    }
  }

  for (const a of assistants) {
    if (a.state === 'outdated') {
      out.push({
        key: `outdated:${a.id}`,
        what: `${a.name}: its Flex entry is out of date. ${a.detail ?? ''}`.trim(),
        fix: `Choose Repair for ${a.name} on the Assistants page, then: ${a.reloadHint}`,
        page: 'assistants',
      });
    } else if (a.needsRestart) {
      out.push({
        key: `restart:${a.id}`,
        what: `${a.name} needs a restart to use Flex MCP.`,
        fix: a.needsRestart,
        page: 'assistants',
      });
    } else if (a.state === 'configBroken') {
      out.push({
        key: `broken:${a.id}`,
        what: `${a.name}: ${a.detail ?? `its config file ${a.configPath} cannot be read.`}`,
        fix: 'Fix the file at the line and column named, or restore a backup on the Assistants page.',
        page: 'assistants',
      });
    }
  }

  const answered = rows.find((r) => r.httpStatus !== null);
  if (answered?.httpStatus === 401) {
    out.push({
      key: `key:${answered.id}`,
      what: `Flex did not accept the API key for ${answered.mode} mode (the call at ${localTime(answered.startedAt)}): it was revoked, expired or mistyped.`,
      fix: 'Paste a new API key on the Account page.',
      page: 'account',
    });
  }
  return out.filter((n) => !dismissed.has(n.key));
}
