import { CopyButton } from '../../ui/copy-button.tsx';
import { Tabs } from '../../ui/tabs.tsx';
import { SIGNATURE_SNIPPETS } from './signature-snippets.ts';

/** Receiver code verifying this server's signatures, one tab per language. */
export function VerifyPanel() {
  return (
    <section className="card stack" aria-labelledby="wh-verify-title">
      <div>
        <h2 id="wh-verify-title">Verify a signature</h2>
        <p className="muted">
          Every delivery carries <code>webhook-id</code>, <code>webhook-timestamp</code> and{' '}
          <code>webhook-signature</code> (Standard Webhooks): an HMAC-SHA256 of{' '}
          <code>{'{webhook-id}.{webhook-timestamp}.{raw body}'}</code> with the key in your <code>whsec_</code> secret.
          Verify the raw body before parsing it, and reject old timestamps.
        </p>
      </div>
      <Tabs.Root defaultValue={SIGNATURE_SNIPPETS[0]?.id}>
        <Tabs.List className="tabs-list" aria-label="Language">
          {SIGNATURE_SNIPPETS.map((snippet) => (
            <Tabs.Trigger key={snippet.id} value={snippet.id} className="tabs-trigger">
              {snippet.label}
            </Tabs.Trigger>
          ))}
        </Tabs.List>
        {SIGNATURE_SNIPPETS.map((snippet) => (
          <Tabs.Content key={snippet.id} value={snippet.id} className="wh-snippet stack">
            <div className="row">
              <CopyButton text={snippet.code} label={`Copy ${snippet.label} code`} />
            </div>
            <pre tabIndex={0}>
              <code>{snippet.code}</code>
            </pre>
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </section>
  );
}
