// Plain words for the Settings page's tool groups: what a group holds and what a change does.
// Which groups are on, and what read-only removes, are decided in Rust (flex-core toolset); this
// only puts the answer into words.
import type { ToolGroupView } from './bindings/ToolGroupView';

/** "11 tools · on by default · only looks things up" */
export function groupFacts(g: ToolGroupView): string {
  const parts = [g.tools === 1 ? '1 tool' : `${g.tools} tools`];
  if (g.by_default) parts.push('on by default');
  if (g.moves_money && g.changes_things) parts.push('changes things and moves money');
  else if (g.moves_money) parts.push('moves money or cannot be undone');
  else if (g.changes_things) parts.push('changes things (no money moves)');
  else parts.push('only looks things up');
  return parts.join(' · ');
}

/** Who a choice is for: `null` is every assistant. */
export function scopeWords(assistant: string | null): string {
  return assistant === null ? 'every assistant' : `“${assistant}”`;
}

/** The saved line after a group was turned on or off. */
export function groupChangeWords(g: ToolGroupView, on: boolean, assistant: string | null): string {
  return `${g.title} turned ${on ? 'on' : 'off'} for ${scopeWords(assistant)}`;
}

/** The saved line after read-only was turned on or off. */
export function readOnlyWords(on: boolean, assistant: string | null): string {
  return `read-only ${on ? 'on' : 'off'} for ${scopeWords(assistant)}`;
}
