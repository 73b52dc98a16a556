// Settings: what the assistant may do without asking. Reading and changing the policy from the
// window comes with the host's mode guard (issue 7); until then the page explains the three kinds
// of action and where today's choices live, and shows no values it cannot read.
export function SettingsPage() {
  return (
    <section aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      <h3>What your assistant may do</h3>
      <p>Every action is one of three kinds, and for each mode you choose allow, ask or deny:</p>
      <dl>
        <dt>Look up</dt>
        <dd>Reads payments, customers, refunds and the like. Safe to repeat.</dd>
        <dt>Change</dt>
        <dd>Creates or changes things, such as a customer or a price. No money moves.</dd>
        <dt>Move money</dt>
        <dd>Refunds, captures, cancellations, closing a dispute: moves money or cannot be undone.</dd>
      </dl>
      <p className="hint" id="settings-pending">
        Your choices are in <code>settings.json</code> under <code>policy</code>; anything left out
        there means “ask”. Changing them here, the approval timeout, activity retention, the local HTTP
        endpoint, start at login and the tool groups come with the next version of this window.
      </p>
    </section>
  );
}
