import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseCidr, vetAddress, vetAddresses } from './address-guard.ts';
import type { AddressBlockReason } from './address-guard.ts';
import { DEFAULT_WEBHOOK_POLICY as DEFAULT } from './policy.ts';

const BLOCKED: ReadonlyArray<readonly [string, AddressBlockReason]> = [
  // IPv4 special ranges
  ['0.0.0.0', 'unspecified'],
  ['0.1.2.3', 'unspecified'],
  ['10.0.0.1', 'private'],
  ['10.255.255.255', 'private'],
  ['172.16.0.1', 'private'],
  ['172.31.255.254', 'private'],
  ['192.168.1.1', 'private'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.0.1', 'linkLocal'],
  ['169.254.170.2', 'linkLocal'], // ECS task metadata
  ['100.64.0.1', 'carrierGradeNat'],
  ['100.127.255.254', 'carrierGradeNat'],
  ['192.0.0.8', 'reserved'], // IETF protocol assignments (incl. Oracle 192.0.0.192)
  ['192.0.0.192', 'reserved'],
  ['192.0.2.1', 'documentation'],
  ['198.51.100.7', 'documentation'],
  ['203.0.113.9', 'documentation'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.255', 'benchmarking'],
  ['192.88.99.1', 'reserved'], // 6to4 relay anycast (deprecated)
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast'],
  ['240.0.0.1', 'reserved'],
  ['250.1.2.3', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  // cloud metadata
  ['169.254.169.254', 'metadata'],
  ['100.100.100.200', 'metadata'],
  ['168.63.129.16', 'metadata'],
  ['fd00:ec2::254', 'metadata'],
  // IPv6 special ranges
  ['::', 'unspecified'],
  ['::1', 'loopback'],
  ['fe80::1', 'linkLocal'],
  ['febf:ffff::1', 'linkLocal'],
  ['fec0::1', 'siteLocal'],
  ['fc00::1', 'uniqueLocal'],
  ['fd12:3456::1', 'uniqueLocal'],
  ['ff02::1', 'multicast'],
  ['ff0e::1', 'multicast'],
  ['2001:db8::1', 'documentation'],
  ['3fff::1', 'documentation'],
  ['2001:2::1', 'benchmarking'],
  ['100::1', 'reserved'], // discard-only
  ['2001::1', 'teredo'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'teredo'],
  ['2001:10::1', 'reserved'], // ORCHID
  ['5f00::1', 'reserved'], // segment routing
  ['4000::1', 'notGlobalUnicast'],
  ['e000::1', 'notGlobalUnicast'],
  // IPv4 embedded in IPv6
  ['::ffff:127.0.0.1', 'ipv4Embedded'],
  ['::ffff:7f00:1', 'ipv4Embedded'],
  ['::ffff:169.254.169.254', 'ipv4Embedded'],
  ['::ffff:10.0.0.1', 'ipv4Embedded'],
  ['0:0:0:0:0:ffff:c0a8:0101', 'ipv4Embedded'],
  ['::127.0.0.1', 'ipv4Compatible'],
  ['::8.8.8.8', 'ipv4Compatible'],
  ['::ffff:0:7f00:1', 'reserved'], // RFC 6145 IPv4-translated
  ['2002:7f00:1::', 'ipv4Embedded'], // 6to4 of 127.0.0.1
  ['2002:a9fe:a9fe::1', 'ipv4Embedded'], // 6to4 of 169.254.169.254
  ['2002:c0a8:101::', 'ipv4Embedded'], // 6to4 of 192.168.1.1
  ['64:ff9b::127.0.0.1', 'ipv4Embedded'],
  ['64:ff9b::a9fe:a9fe', 'ipv4Embedded'],
  ['64:ff9b::10.1.2.3', 'ipv4Embedded'],
  ['64:ff9b:1::8.8.8.8', 'nat64LocalUse'],
  ['64:ff9b:1:ffff::1', 'nat64LocalUse'],
  // not addresses at all
  ['', 'invalid'],
  ['localhost', 'invalid'],
  ['example.com', 'invalid'],
  ['1.2.3.4.5', 'invalid'],
  ['::g', 'invalid'],
];

const GLOBAL = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '100.63.255.255', // just below CGNAT
  '100.128.0.0', // just above CGNAT
  '172.15.255.255',
  '172.32.0.0',
  '169.253.255.255',
  '198.17.255.255',
  '198.20.0.0',
  '223.255.255.255',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '2400:cb00::1',
  '::ffff:8.8.8.8', // IPv4-mapped public
  '2002:0808:0808::1', // 6to4 of 8.8.8.8
  '64:ff9b::8.8.8.8', // NAT64 of 8.8.8.8 (DNS64 networks)
  '[2606:4700::1]',
];

describe('vetAddress (default policy)', () => {
  for (const [address, reason] of BLOCKED) {
    it(`blocks ${JSON.stringify(address)} as ${reason}`, () => {
      const verdict = vetAddress(address, DEFAULT);
      assert.equal(verdict.ok, false);
      assert.ok(!verdict.ok);
      assert.equal(verdict.reason, reason);
      assert.equal(verdict.address, address);
      assert.match(verdict.message, /./);
    });
  }
  for (const address of GLOBAL) {
    it(`allows global ${address}`, () => assert.deepEqual(vetAddress(address, DEFAULT), { ok: true }));
  }
});

describe('vetAddress with allowPrivateCidrs', () => {
  const policy = { allowPrivateCidrs: ['127.0.0.0/8', 'fd00:1::/32', '10.1.2.3'] };
  const cases: Array<[string, boolean]> = [
    ['127.0.0.1', true],
    ['127.9.9.9', true],
    ['::ffff:127.0.0.1', true], // mapped form is a socket to the allowed IPv4 address
    ['10.1.2.3', true], // bare address = /32
    ['10.1.2.4', false],
    ['fd00:1::5', true],
    ['fd00:2::5', false],
    ['::1', false], // IPv6 loopback is not in 127.0.0.0/8
    ['169.254.169.254', false],
    ['8.8.8.8', true],
  ];
  for (const [address, ok] of cases) {
    it(`${address} → ${ok ? 'allowed' : 'blocked'}`, () => assert.equal(vetAddress(address, policy).ok, ok));
  }
  it('ignores malformed entries instead of widening access', () => {
    assert.equal(vetAddress('10.0.0.1', { allowPrivateCidrs: ['10.0.0.0/99', 'nonsense'] }).ok, false);
  });
});

describe('vetAddresses', () => {
  it('refuses when ANY address is not global (DNS rebinding mix)', () => {
    const verdict = vetAddresses(['8.8.8.8', '2606:4700::1', '127.0.0.1'], DEFAULT);
    assert.ok(!verdict.ok);
    assert.equal(verdict.address, '127.0.0.1');
    assert.equal(verdict.reason, 'loopback');
  });
  it('accepts when every address is global', () => {
    assert.deepEqual(vetAddresses(['8.8.8.8', '2606:4700::1'], DEFAULT), { ok: true });
  });
  it('refuses an empty list', () => assert.equal(vetAddresses([], DEFAULT).ok, false));
});

describe('parseCidr', () => {
  it('parses CIDRs and bare addresses', () => {
    assert.equal(parseCidr('127.0.0.0/8')[1], 8);
    assert.equal(parseCidr('10.0.0.1')[1], 32);
    assert.equal(parseCidr(' ::1 ')[1], 128);
  });
  it('throws on garbage', () => {
    assert.throws(() => parseCidr('10.0.0.0/33'));
    assert.throws(() => parseCidr('not-an-ip'));
  });
});

describe('properties', () => {
  const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.'));
  it('any address in a private/loopback/link-local/CGNAT block is refused', () => {
    const blocked = fc.oneof(
      fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `10.${a}.${b}.${c}`),
      fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `127.${a}.${b}.${c}`),
      fc.tuple(fc.integer({ min: 16, max: 31 }), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `172.${a}.${b}.${c}`),
      fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `192.168.${a}.${b}`),
      fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `169.254.${a}.${b}`),
      fc.tuple(fc.integer({ min: 64, max: 127 }), fc.nat(255), fc.nat(255)).map(([a, b, c]) => `100.${a}.${b}.${c}`),
      fc.tuple(fc.integer({ min: 224, max: 255 }), fc.nat(255), fc.nat(255), fc.nat(255)).map((b) => b.join('.')),
    );
    fc.assert(fc.property(blocked, (a) => !vetAddress(a, DEFAULT).ok));
  });
  it('an IPv4 address and its IPv4-mapped, 6to4 and NAT64 forms get the same verdict', () => {
    fc.assert(
      fc.property(v4, (a) => {
        const bytes = a.split('.').map(Number);
        const hex = (i: number) => (((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16);
        const ok = vetAddress(a, DEFAULT).ok;
        assert.equal(vetAddress(`::ffff:${a}`, DEFAULT).ok, ok, 'mapped');
        assert.equal(vetAddress(`64:ff9b::${a}`, DEFAULT).ok, ok, 'nat64');
        assert.equal(vetAddress(`2002:${hex(0)}:${hex(2)}::1`, DEFAULT).ok, ok, '6to4');
        assert.equal(vetAddress(`::${a}`, DEFAULT).ok, false, 'ipv4-compatible is always refused');
      }),
    );
  });
  it('never throws on arbitrary strings', () => {
    fc.assert(fc.property(fc.string(), (s) => typeof vetAddress(s, DEFAULT).ok === 'boolean'));
  });
});
