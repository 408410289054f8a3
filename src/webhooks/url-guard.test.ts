import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bareHostname, vetWebhookUrl, MAX_WEBHOOK_URL_LENGTH } from './url-guard.ts';
import type { UrlBlockReason } from './url-guard.ts';
import type { AddressBlockReason } from './address-guard.ts';
import { DEFAULT_WEBHOOK_POLICY as DEFAULT, policyFromConfig } from './policy.ts';
import type { WebhookNetworkPolicy } from './policy.ts';

const DEV: WebhookNetworkPolicy = { allowHttp: true, allowPrivateCidrs: ['127.0.0.0/8'] };

type Case = [url: string, reason: UrlBlockReason, addressReason?: AddressBlockReason];

const REFUSED_BY_DEFAULT: Case[] = [
  // syntax
  ['not a url', 'invalid_url'],
  ['', 'invalid_url'],
  ['//example.com/hook', 'invalid_url'],
  ['https://1.2.3.4.5/', 'invalid_url'],
  ['https://[fe80::1%25eth0]/', 'invalid_url'],
  [`https://example.com/${'a'.repeat(MAX_WEBHOOK_URL_LENGTH)}`, 'too_long'],
  // scheme
  ['http://example.com/hook', 'scheme'],
  ['ftp://example.com/hook', 'scheme'],
  ['file:///etc/passwd', 'scheme'],
  ['gopher://example.com:70/', 'scheme'],
  ['javascript:alert(1)', 'scheme'],
  ['data:text/plain,hi', 'scheme'],
  ['ws://example.com/', 'scheme'],
  // credentials
  ['https://user@example.com/', 'credentials'],
  ['https://user:pass@example.com/', 'credentials'],
  ['https://:pass@example.com/', 'credentials'],
  // ports
  ['https://example.com:22/', 'port'],
  ['https://example.com:25/', 'port'],
  ['https://example.com:0/', 'port'],
  ['https://example.com:1023/', 'port'],
  // reserved names
  ['https://localhost/', 'hostname'],
  ['https://LOCALHOST./', 'hostname'],
  ['https://foo.localhost/', 'hostname'],
  ['https://metadata.google.internal/computeMetadata/v1/', 'hostname'],
  ['https://printer.local/', 'hostname'],
  ['https://router.home.arpa/', 'hostname'],
  ['https://db.localdomain/', 'hostname'],
  ['https://1.0.0.127.in-addr.arpa/', 'hostname'],
  ['https://metadata/', 'hostname'], // single label → search-domain resolution
  ['https://intranet/', 'hostname'],
  // IP literals, including forms the WHATWG parser normalises
  ['https://127.0.0.1/', 'address', 'loopback'],
  ['https://127.1/', 'address', 'loopback'],
  ['https://2130706433/', 'address', 'loopback'],
  ['https://0x7f000001/', 'address', 'loopback'],
  ['https://0x7f.0.0.1/', 'address', 'loopback'],
  ['https://0177.0.0.1/', 'address', 'loopback'],
  ['https://017700000001/', 'address', 'loopback'],
  ['https://%31%32%37.0.0.1/', 'address', 'loopback'],
  ['https://１２７.０.０.１/', 'address', 'loopback'], // full-width digits
  ['https://127.0.0.1./', 'address', 'loopback'],
  ['https://0/', 'address', 'unspecified'],
  ['https://0.0.0.0:8443/', 'address', 'unspecified'],
  ['https://10.0.0.1/', 'address', 'private'],
  ['https://0xa000001/', 'address', 'private'],
  ['https://192.168.0.1:8080/', 'address', 'private'],
  ['https://100.64.1.1/', 'address', 'carrierGradeNat'],
  ['https://169.254.169.254/latest/meta-data/', 'address', 'metadata'],
  ['https://2852039166/', 'address', 'metadata'], // 169.254.169.254 as a decimal
  ['https://0xa9.0xfe.0xa9.0xfe/', 'address', 'metadata'],
  ['https://100.100.100.200/', 'address', 'metadata'],
  ['https://[fd00:ec2::254]/', 'address', 'metadata'],
  ['https://[::1]/', 'address', 'loopback'],
  ['https://[::]/', 'address', 'unspecified'],
  ['https://[::ffff:127.0.0.1]/', 'address', 'ipv4Embedded'],
  ['https://[::ffff:a9fe:a9fe]/', 'address', 'ipv4Embedded'],
  ['https://[::127.0.0.1]/', 'address', 'ipv4Compatible'],
  ['https://[2002:7f00:1::]/', 'address', 'ipv4Embedded'],
  ['https://[64:ff9b::7f00:1]/', 'address', 'ipv4Embedded'],
  ['https://[64:ff9b:1::1]/', 'address', 'nat64LocalUse'],
  ['https://[2001::1]/', 'address', 'teredo'],
  ['https://[fe80::1]/', 'address', 'linkLocal'],
  ['https://[fec0::1]/', 'address', 'siteLocal'],
  ['https://[fc00::1]/', 'address', 'uniqueLocal'],
  ['https://[ff02::1]/', 'address', 'multicast'],
  ['https://224.0.0.1/', 'address', 'multicast'],
  ['https://240.0.0.1/', 'address', 'reserved'],
  ['https://255.255.255.255/', 'address', 'broadcast'],
  ['https://198.18.0.1/', 'address', 'benchmarking'],
  ['https://192.0.2.1/', 'address', 'documentation'],
  ['https://[2001:db8::1]/', 'address', 'documentation'],
];

const ACCEPTED_BY_DEFAULT = [
  'https://example.com/hook',
  'https://EXAMPLE.com:443/hook?x=1#frag',
  'https://example.com:8443/hook',
  'https://example.com:65535/',
  'https://hooks.example.co.uk/a/b',
  'https://8.8.8.8/hook',
  'https://[2606:4700:4700::1111]/hook',
  'https://xn--bcher-kva.example/', // IDN
  'https://bücher.example/',
  'https://localhost.example.com/', // only the suffix matters
  'https://127.0.0.1.nip.io/', // a name: the transport vets what it resolves to
];

describe('vetWebhookUrl (default policy)', () => {
  for (const [url, reason, addressReason] of REFUSED_BY_DEFAULT) {
    it(`refuses ${url.slice(0, 60)} (${reason}${addressReason ? `/${addressReason}` : ''})`, () => {
      const verdict = vetWebhookUrl(url, DEFAULT);
      assert.ok(!verdict.ok, 'expected refusal');
      assert.equal(verdict.field, 'url');
      assert.equal(verdict.reason, reason);
      assert.equal(verdict.addressReason, addressReason);
      assert.ok(verdict.message.length > 0);
    });
  }
  for (const url of ACCEPTED_BY_DEFAULT) {
    it(`accepts ${url}`, () => {
      const verdict = vetWebhookUrl(url, DEFAULT);
      assert.ok(verdict.ok, verdict.ok ? '' : verdict.message);
      assert.ok(verdict.url instanceof URL);
    });
  }
});

describe('vetWebhookUrl (relaxed policy)', () => {
  const cases: Array<[string, WebhookNetworkPolicy, boolean]> = [
    ['http://127.0.0.1:3000/hook', DEV, true],
    ['http://2130706433:3000/hook', DEV, true],
    ['http://[::ffff:127.0.0.1]:3000/', DEV, true],
    ['http://[::1]:3000/', DEV, false], // ::1 is not in 127.0.0.0/8
    ['http://10.0.0.1/', DEV, false],
    ['http://169.254.169.254/', DEV, false],
    ['http://user:pw@127.0.0.1:3000/', DEV, false],
    ['http://example.com/', DEV, true],
    ['http://localhost:3000/', DEV, false],
    ['http://localhost:3000/', { ...DEV, allowHostnames: ['localhost'] }, true],
    ['https://example.com:22/', { ...DEFAULT, allowPorts: [22] }, true],
    ['https://example.com:23/', { ...DEFAULT, allowPorts: [22] }, false],
    ['https://10.1.2.3/', { allowHttp: false, allowPrivateCidrs: ['10.0.0.0/8'] }, true],
    ['http://10.1.2.3/', { allowHttp: false, allowPrivateCidrs: ['10.0.0.0/8'] }, false],
  ];
  for (const [url, policy, ok] of cases) {
    it(`${url} with ${JSON.stringify(policy)} → ${ok ? 'accepted' : 'refused'}`, () => {
      assert.equal(vetWebhookUrl(url, policy).ok, ok);
    });
  }
});

describe('bareHostname', () => {
  it('strips IPv6 brackets and trailing root dots', () => {
    assert.equal(bareHostname(new URL('https://[::1]:8/')), '::1');
    assert.equal(bareHostname(new URL('https://Example.COM./')), 'example.com');
  });
});

describe('policyFromConfig', () => {
  it('keeps the secure default when nothing is allowed', () => {
    assert.deepEqual(policyFromConfig({ allowHttp: false, allowPrivateCidrs: [] }), {
      allowHttp: false,
      allowPrivateCidrs: [],
    });
  });
  it('carries allowHttp and the allowed CIDRs of config.webhooks', () => {
    const p = policyFromConfig({ allowHttp: true, allowPrivateCidrs: ['127.0.0.0/8', '::1/128'] });
    assert.deepEqual(p, { allowHttp: true, allowPrivateCidrs: ['127.0.0.0/8', '::1/128'] });
    assert.ok(vetWebhookUrl('http://127.0.0.1:9000/', p).ok);
  });
  it('throws on a malformed CIDR', () => {
    assert.throws(() => policyFromConfig({ allowHttp: false, allowPrivateCidrs: ['127.0.0.0/8', 'banana'] }), /banana/);
  });
});

describe('properties', () => {
  it('never throws, and every refusal names the url field', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.webUrl()), (s) => {
        const v = vetWebhookUrl(s, DEFAULT);
        return v.ok ? v.url.protocol === 'https:' : v.field === 'url';
      }),
    );
  });
  it('accepted URLs never carry credentials and use allowed ports', () => {
    fc.assert(
      fc.property(fc.webUrl({ withQueryParameters: true, withFragments: true }), (s) => {
        const v = vetWebhookUrl(s, DEV);
        if (!v.ok) return true;
        const port = v.url.port === '' ? 443 : Number(v.url.port);
        return v.url.username === '' && v.url.password === '' && (port === 80 || port === 443 || port >= 1024);
      }),
    );
  });
});
