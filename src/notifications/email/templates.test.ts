import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { createKeyRing } from '../../crypto/key-ring.ts';
import type { UserId } from '../../identity/tables.ts';
import { absoluteLink, digestEmail, escapeHtml, html, notificationEmail, subjectOf } from './templates.ts';
import { signUnsubscribeToken, verifyUnsubscribeToken } from './unsubscribe-token.ts';

const links = {
  unsubscribeUrl: 'https://portal.example.test/v1/notifications/unsubscribe?token=a.b',
  preferencesUrl: 'https://portal.example.test/settings/notifications',
};

describe('email templates', () => {
  it('escapes every interpolation and keeps nested templates as markup', () => {
    const inner = html`<b>${'<i>'}</b>`;
    assert.equal(
      html`<p title="${'"x"'}">${inner}${['<', '>']}${null}</p>`.value,
      '<p title="&quot;x&quot;"><b>&lt;i&gt;</b>&lt;&gt;</p>',
    );
  });

  it('property: no user text ever reaches the HTML unescaped', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (title, body) => {
        const mail = notificationEmail({
          type: 'support',
          priority: 'high',
          title,
          body,
          actionUrl: null,
          groupCount: 1,
          ...links,
        });
        if (/[<>&"']/.test(title)) assert.ok(mail.html.includes(escapeHtml(title)));
        for (const chunk of body.split(/\n{2,}/).filter((p) => p.trim() !== ''))
          assert.ok(mail.html.includes(escapeHtml(chunk)), 'body paragraph escaped');
        assert.ok(!mail.html.includes('<script'), 'no script tag');
      }),
      { numRuns: 300 },
    );
  });

  it('keeps subjects on one line and marks critical ones', () => {
    assert.equal(subjectOf('a\r\nBcc: x@y', 'medium'), 'a Bcc: x@y');
    assert.equal(subjectOf('Down', 'critical'), '[Critical] Down');
    assert.equal(subjectOf('  ', 'low'), 'Notification');
  });

  it('links only portal paths, absolutely', () => {
    assert.equal(absoluteLink('https://p.example', '/support/SB-1'), 'https://p.example/support/SB-1');
    assert.equal(absoluteLink('https://p.example', 'javascript:alert(1)'), null);
    assert.equal(absoluteLink('https://p.example', '//evil.example/x'), null);
    assert.equal(absoluteLink('https://p.example', null), null);
  });

  it('lists every held-back item in the digest, escaped', () => {
    const mail = digestEmail({
      items: [
        { type: 'support', title: 'one <x>', createdAt: '2026-01-01T00:00:00.000Z', actionUrl: null },
        { type: 'billing', title: 'two', createdAt: '2026-01-01T00:01:00.000Z', actionUrl: 'https://p.example/b' },
      ],
      inboxUrl: 'https://p.example/notifications',
      ...links,
    });
    assert.equal(mail.subject, '2 more notifications while emails were paused');
    assert.ok(mail.html.includes('one &lt;x&gt;') && mail.text.includes('one <x>') && mail.text.includes('two'));
  });
});

describe('unsubscribe tokens', () => {
  const ring = createKeyRing(Buffer.alloc(32, 1));
  const now = new Date('2026-01-01T00:00:00.000Z');
  const claim = { userId: 'u-1' as UserId, types: ['support' as const] };

  it('verifies its own tokens, also after a key rotation', () => {
    const token = signUnsubscribeToken(ring, claim, now);
    const verified = verifyUnsubscribeToken(ring, token, now);
    assert.ok(verified.ok);
    assert.deepEqual(verified.ok && verified.claim.types, ['support']);
    const rotated = createKeyRing(Buffer.alloc(32, 2), [Buffer.alloc(32, 1)]);
    assert.ok(verifyUnsubscribeToken(rotated, token, now).ok);
  });

  it('refuses forged, tampered, foreign-key, expired and malformed tokens', () => {
    const token = signUnsubscribeToken(ring, claim, now);
    const [payload, mac] = token.split('.') as [string, string];
    const otherPayload = Buffer.from(JSON.stringify({ u: 'u-2', t: ['support'], e: 4_000_000_000 })).toString(
      'base64url',
    );
    const reason = (t: string, at = now) => {
      const result = verifyUnsubscribeToken(ring, t, at);
      return result.ok ? 'ok' : result.reason;
    };
    assert.equal(reason(`${otherPayload}.${mac}`), 'forged');
    assert.equal(reason(`${payload}.${mac.slice(0, -2)}AA`), 'forged');
    assert.equal(reason(signUnsubscribeToken(createKeyRing(Buffer.alloc(32, 9)), claim, now)), 'forged');
    assert.equal(reason(token, new Date(now.getTime() + 61 * 86_400_000)), 'expired');
    assert.equal(reason('garbage'), 'malformed');
    assert.equal(reason(''), 'malformed');
  });
});
