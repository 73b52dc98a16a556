// One activity record as a sentence a support or finance person reads: "Refunded $45.00 on payment
// fpi_…". Codes (tool names, error codes) stay under Details; here only words.
import type { ActivityRow } from './bindings/ActivityRow';
import { money } from './format';

/** What a tool does, as a past-tense phrase. Unknown tools fall back to their name in words. */
const PHRASES: Record<string, string> = {
  create_refund: 'Refunded',
  refund_capture: 'Refunded',
  refund_checkout_session: 'Refunded',
  capture_checkout_session: 'Captured',
  cancel_checkout_session_authorization: 'Released the authorization',
  cancel_payment_intent: 'Canceled the payment',
  cancel_subscription: 'Canceled the subscription',
  close_dispute: 'Closed the dispute',
  submit_dispute: 'Submitted the dispute',
  create_customer: 'Added a customer',
  create_product: 'Added a product',
  create_price: 'Added a price',
  create_coupon: 'Created a coupon',
  create_payment_link: 'Created a payment link',
  create_checkout_session: 'Started a checkout',
};

/** Which noun an object id prefix stands for. */
const OBJECTS: [string, string][] = [
  ['fpi_', 'payment'],
  ['fre_', 'refund'],
  ['fcs_', 'checkout'],
  ['fcu_', 'customer'],
  ['fsub_', 'subscription'],
  ['fdp_', 'dispute'],
  ['fpr_', 'product'],
];

function noun(id: string): string {
  const hit = OBJECTS.find(([p]) => id.startsWith(p));
  return hit ? `${hit[1]} ${id}` : id;
}

/** "list_payment_intents" → "Looked up payment intents"; "get_refund" → "Looked up a refund". */
function fallback(tool: string): string {
  const [verb, ...rest] = tool.split('_');
  const thing = rest.join(' ');
  if (verb === 'list') return `Listed ${thing}`;
  if (verb === 'get') return `Looked up ${thing}`;
  if (verb === 'update') return `Changed ${thing}`;
  if (verb === 'create') return `Created ${thing}`;
  return tool.replaceAll('_', ' ').replace(/^./, (c) => c.toUpperCase());
}

/** The sentence for one call, e.g. "Refunded $45.00 on payment fpi_123". */
export function activitySentence(row: ActivityRow): string {
  if (row.tool.startsWith('get_') && row.objectIds.length > 0) return `Looked up ${noun(row.objectIds[0])}`;
  const what = PHRASES[row.tool] ?? fallback(row.tool);
  const amount = row.amountsCents.length > 0 ? ` ${money(row.amountsCents[0])}` : '';
  const on = row.objectIds.length > 0 ? ` on ${noun(row.objectIds[0])}` : '';
  return `${what}${amount}${on}`;
}

/** The outcome in words. */
export function outcomeWords(outcome: string): string {
  switch (outcome) {
    case 'ok':
      return 'Done';
    case 'api_error':
      return 'Flex refused or could not be reached';
    case 'invalid_arguments':
      return 'Not sent: the request was incomplete';
    case 'refused':
      return 'Blocked by your settings';
    default:
      return outcome;
  }
}

/** The person's decision on a call that asked first, in words; `null` when nobody was asked. */
export function approvalWords(approval: string | null | undefined): string | null {
  switch (approval) {
    case null:
    case undefined:
    case '':
      return null;
    case 'approved':
      return 'Approved by you';
    case 'denied':
      return 'Denied by you';
    case 'expired':
      return 'Denied automatically: nobody answered in time';
    case 'allowed_for_a_while':
      return 'Approved by you, and allowed for 15 minutes';
    case 'covered_by_allowance':
      return 'Allowed: you had allowed this for 15 minutes';
    case 'unavailable':
      return 'Blocked: nobody could be asked (no desktop)';
    default:
      return approval;
  }
}

/** The heading of the confirmation of a loosening. */
export function confirmationTitle(changes: number): string {
  return changes === 1
    ? 'A change waits for your confirmation'
    : `${changes} changes wait for your confirmation`;
}

/**
 * Who asked for a loosening. The host sees only that the settings file changed outside this window,
 * not which program wrote it, so the sentence names both possibilities and says why it asks.
 */
export const WHO_ASKED =
  'Asked from outside this window: by the flex-mcp command (for example “flex-mcp mode live”) or ' +
  'by another program on this computer. An assistant that can run commands could have done this, so ' +
  'nothing of it applies until you confirm.';
