import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import {
  decodeSecret,
  deliveryHeaders,
  generateSecret,
  signatureHeader,
  signOne,
  WEBHOOK_USER_AGENT,
} from './signature.ts';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const fixedBytes = (fill: number) => (n: number) => Buffer.alloc(n, fill);
const OLD = generateSecret(fixedBytes(1));
const NEW = generateSecret(fixedBytes(2));
const body = Buffer.from(
  JSON.stringify({
    id: 'evt_1',
    type: 'ticket.created',
    timestamp: '2026-01-01T00:00:00Z',
    data: { title: 'Grüße ✓ "q"' },
  }),
);

/** Verifies with both third-party libraries; returns which accepted. */
function verifyBoth(secret: string, payload: Buffer | string, headers: Record<string, string>): [boolean, boolean] {
  const attempt = (fn: () => unknown) => {
    try {
      fn();
      return true;
    } catch {
      return false;
    }
  };
  return [
    attempt(() => new StandardWebhook(secret).verify(payload, headers)),
    attempt(() => new SvixWebhook(secret).verify(payload, headers)),
  ];
}

function headersFor(secrets: string[], id = 'evt_1', ts = nowSeconds(), payload: Buffer | string = body) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(ts),
    'webhook-signature': signatureHeader(secrets, id, ts, payload),
  };
}

describe('generateSecret', () => {
  it('is whsec_ + base64 of 32 injected random bytes', () => {
    const secret = generateSecret(fixedBytes(7));
    assert.equal(secret, `whsec_${Buffer.alloc(32, 7).toString('base64')}`);
    assert.deepEqual(decodeSecret(secret), Buffer.alloc(32, 7));
  });
  it('is accepted by both libraries as a key', () => {
    const secret = generateSecret(randomBytes);
    assert.doesNotThrow(() => new StandardWebhook(secret));
    assert.doesNotThrow(() => new SvixWebhook(secret));
  });
  it('refuses a short random source', () => assert.throws(() => generateSecret(() => Buffer.alloc(8))));
});

describe('decodeSecret', () => {
  for (const bad of [
    '',
    'abc',
    'whsec_',
    'whsec_!!!!',
    `whsec_${Buffer.alloc(8).toString('base64')}`,
    `sk_${'A'.repeat(44)}`,
  ]) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => decodeSecret(bad)));
  }
});

describe('signatureHeader', () => {
  it('matches a hand-computed HMAC-SHA256 over "{id}.{ts}.{body}"', () => {
    const expected = createHmac('sha256', Buffer.alloc(32, 1))
      .update(`evt_1.1700000000.${body.toString()}`)
      .digest('base64');
    assert.equal(signatureHeader([OLD], 'evt_1', 1700000000, body), `v1,${expected}`);
  });
  it('treats a string body as its UTF-8 bytes', () => {
    assert.equal(signatureHeader([OLD], 'e', 1, body.toString('utf8')), signatureHeader([OLD], 'e', 1, body));
  });
  it('emits one space-separated signature per secret, in order', () => {
    const h = signatureHeader([NEW, OLD], 'evt_1', 1700000000, body);
    assert.deepEqual(h.split(' '), [signOne(NEW, 'evt_1', 1700000000, body), signOne(OLD, 'evt_1', 1700000000, body)]);
  });
  it('refuses to sign without secrets or with a bad id/timestamp', () => {
    assert.throws(() => signatureHeader([], 'evt_1', 1, body));
    assert.throws(() => signatureHeader([OLD], '', 1, body));
    assert.throws(() => signatureHeader([OLD], 'evt 1', 1, body));
    assert.throws(() => signatureHeader([OLD], 'evt_1', 1.5, body));
    assert.throws(() => signatureHeader([OLD], 'evt_1', -1, body));
  });
});

describe('verification by standardwebhooks 1.1.1 and svix', () => {
  it('both accept a single-secret signature', () => {
    assert.deepEqual(verifyBoth(OLD, body, headersFor([OLD])), [true, true]);
    assert.deepEqual(verifyBoth(OLD, body.toString(), headersFor([OLD])), [true, true]);
  });
  it('during rotation both accept with either secret', () => {
    const headers = headersFor([NEW, OLD]);
    assert.deepEqual(verifyBoth(NEW, body, headers), [true, true]);
    assert.deepEqual(verifyBoth(OLD, body, headers), [true, true]);
    assert.deepEqual(verifyBoth(generateSecret(fixedBytes(3)), body, headers), [false, false]);
  });
  it('both reject a tampered body', () => {
    const headers = headersFor([OLD]);
    assert.deepEqual(verifyBoth(OLD, Buffer.concat([body, Buffer.from(' ')]), headers), [false, false]);
    assert.deepEqual(verifyBoth(OLD, body.toString().replace('Grüße', 'Grusse'), headers), [false, false]);
  });
  it('both reject a tampered id', () => {
    assert.deepEqual(verifyBoth(OLD, body, { ...headersFor([OLD]), 'webhook-id': 'evt_2' }), [false, false]);
  });
  it('both reject a tampered timestamp', () => {
    const h = headersFor([OLD]);
    assert.deepEqual(verifyBoth(OLD, body, { ...h, 'webhook-timestamp': String(Number(h['webhook-timestamp']) + 1) }), [
      false,
      false,
    ]);
  });
  it('both reject a stale timestamp (so retries must be re-signed)', () => {
    assert.deepEqual(verifyBoth(OLD, body, headersFor([OLD], 'evt_1', nowSeconds() - 3600)), [false, false]);
  });
  it('both accept arbitrary JSON bodies and ids (property)', () => {
    fc.assert(
      fc.property(fc.json(), fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/), (json, id) => {
        assert.deepEqual(verifyBoth(NEW, json, headersFor([OLD, NEW], id, nowSeconds(), json)), [true, true]);
      }),
      { numRuns: 50 },
    );
  });
});

describe('deliveryHeaders', () => {
  const input = {
    eventId: 'evt_9',
    eventType: 'ticket.resolved',
    attemptId: 'att_1',
    timestampSeconds: nowSeconds(),
    body,
    secrets: [NEW, OLD],
    customHeaders: { 'X-Team': 'blue', 'User-Agent': 'spoof', 'Webhook-Signature': 'v1,forged' },
  };
  it('sets every spec header and lets ours win over custom ones', () => {
    const h = deliveryHeaders(input);
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['user-agent'], WEBHOOK_USER_AGENT);
    assert.equal(h['webhook-id'], 'evt_9');
    assert.equal(h['webhook-timestamp'], String(input.timestampSeconds));
    assert.equal(h['x-securebase-event'], 'ticket.resolved');
    assert.equal(h['x-securebase-delivery'], 'att_1');
    assert.equal(h['x-team'], 'blue');
    assert.equal(h['webhook-signature']?.split(' ').length, 2);
  });
  it('produces headers both libraries verify', () => {
    assert.deepEqual(verifyBoth(OLD, body, deliveryHeaders(input)), [true, true]);
  });
});
