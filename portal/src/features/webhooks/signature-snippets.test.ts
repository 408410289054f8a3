import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SIGNATURE_SNIPPETS } from './signature-snippets.ts';

const snippet = (id: string) => SIGNATURE_SNIPPETS.find((s) => s.id === id)?.code ?? '';

describe('signature snippets', () => {
  it('offers Node, Python and Go', () => {
    expect(SIGNATURE_SNIPPETS.map((s) => s.label)).toEqual(['Node', 'Python', 'Go']);
  });

  it.each(['node', 'python', 'go'])('%s reads the three Standard Webhooks headers', (id) => {
    const quote = id === 'node' ? "'" : '"';
    for (const header of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      expect(snippet(id)).toContain(`${quote}${header}${quote}`);
    }
  });

  it('Node uses the standardwebhooks package with the whsec_ secret as is', () => {
    expect(snippet('node')).toContain("from 'standardwebhooks'");
    expect(snippet('node')).toContain('new Webhook(');
    expect(snippet('node')).toContain('express.raw(');
  });

  it('Python and Go strip whsec_, decode base64, sign id.timestamp.body with HMAC-SHA256 and compare in constant time', () => {
    const python = snippet('python');
    expect(python).toContain('secret.removeprefix("whsec_")');
    expect(python).toContain('base64.b64decode');
    expect(python).toContain('f"{msg_id}.{timestamp}.".encode() + body');
    expect(python).toContain('hashlib.sha256');
    expect(python).toContain('hmac.compare_digest');
    expect(python).toContain('.split(" ")');
    const go = snippet('go');
    expect(go).toContain('strings.TrimPrefix(secret, "whsec_")');
    expect(go).toContain('base64.StdEncoding.DecodeString');
    expect(go).toContain('hmac.New(sha256.New, key)');
    expect(go).toContain('mac.Write([]byte(id + "." + timestamp + "."))');
    expect(go).toContain('hmac.Equal');
    expect(go).toContain('strings.Split(header.Get("webhook-signature"), " ")');
  });

  // The algorithm the snippets describe, run here against a signature made the way the server makes it
  // (src/webhooks/signature.ts): the Python/Go steps, transcribed, accept it and refuse a tampered body.
  it('the documented steps verify a server-style signature', () => {
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const id = 'evt_0193a5f27c1e7d4a9b1e2f6c3d4e5a6b';
    const timestamp = '1795000000';
    const body = '{"type":"ticket.created","data":{"subject":"Ünïcode"}}';
    const sign = (key: Buffer, content: string) => createHmac('sha256', key).update(content, 'utf8').digest('base64');
    const serverKey = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const header = `v1,${sign(randomBytes(32), 'old')} v1,${sign(serverKey, `${id}.${timestamp}.${body}`)}`;

    const verify = (receivedBody: string) => {
      const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
      const expected = sign(key, `${id}.${timestamp}.${receivedBody}`);
      return header.split(' ').some((versioned) => {
        const [version, signature] = versioned.split(',');
        return version === 'v1' && signature === expected;
      });
    };
    expect(verify(body)).toBe(true);
    expect(verify(body.replace('Ünïcode', 'Unicode'))).toBe(false);
  });
});
