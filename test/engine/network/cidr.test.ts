/**
 * Addresses and blocks as Go's `net` package reads them (the API server and the plugins
 * parse ipBlocks with it): host bits masked, IPv4-mapped IPv6 addresses treated as IPv4.
 */
import assert from 'node:assert/strict';
import {
  cidrContains,
  cidrCovers,
  formatCidr,
  formatIp,
  parseCidr,
  parseIp,
  publicShare,
  rangesOf,
  subtractRanges,
  sizeOf,
} from '../../../src/engine/network/cidr.js';
import type { Cidr } from '../../../src/engine/network/cidr.js';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  assert.ok(parsed !== undefined, `${text} parses`);
  return parsed;
}

describe('parseCidr / formatCidr', () => {
  const cases: readonly (readonly [input: string, canonical: string | undefined])[] = [
    ['10.0.0.0/8', '10.0.0.0/8'],
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.168.001.000/24', '192.168.1.0/24'],
    ['255.255.255.255/32', '255.255.255.255/32'],
    ['::/0', '::/0'],
    ['2001:db8::1/32', '2001:db8::/32'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001/128', '2001:db8::1/128'],
    ['fe80::1:0:0:1/128', 'fe80::1:0:0:1/128'],
    ['::ffff:10.0.0.0/104', '10.0.0.0/8'],
    ['::ffff:0:0/96', '0.0.0.0/0'],
    ['10.0.0.0/33', undefined],
    ['10.0.0.0', undefined],
    ['10.0.0/8', undefined],
    ['256.0.0.0/8', undefined],
    ['2001:db8::/129', undefined],
    ['2001:db8:::/32', undefined],
    ['1:2:3:4:5:6:7:8:9/64', undefined],
    ['fe80::1%eth0/64', undefined],
    ['10.0.0.0/-1', undefined],
    ['', undefined],
  ];
  for (const [input, canonical] of cases) {
    it(`${JSON.stringify(input)} → ${canonical ?? 'invalid'}`, () => {
      const parsed = parseCidr(input);
      assert.equal(parsed === undefined ? undefined : formatCidr(parsed), canonical);
    });
  }

  it('rejects non-strings', () => {
    assert.equal(parseCidr(42), undefined);
    assert.equal(parseIp(undefined), undefined);
  });
});

describe('parseIp', () => {
  it('reads IPv4, IPv6 and IPv4-mapped IPv6', () => {
    assert.deepEqual(parseIp('10.0.0.1'), { family: 4, value: 0x0a000001n });
    assert.equal(formatIp(parseIp('2001:db8::0:1') ?? { family: 4, value: 0n }), '2001:db8::1');
    assert.deepEqual(parseIp('::ffff:10.0.0.1'), { family: 4, value: 0x0a000001n });
    assert.deepEqual(parseIp('::1.2.3.4'), { family: 6, value: 0x01020304n });
    assert.equal(parseIp('10.0.0.256'), undefined);
    assert.equal(parseIp('not-an-ip'), undefined);
  });
});

describe('containment', () => {
  it('an address in and out of a block', () => {
    const ip = parseIp('10.20.30.40');
    assert.ok(ip !== undefined);
    assert.equal(cidrContains(cidr('10.0.0.0/8'), ip), true);
    assert.equal(cidrContains(cidr('10.20.30.41/32'), ip), false);
    assert.equal(cidrContains(cidr('::/0'), ip), false);
  });

  it('a block covering another', () => {
    assert.equal(cidrCovers(cidr('10.0.0.0/8'), cidr('10.1.0.0/16')), true);
    assert.equal(cidrCovers(cidr('10.1.0.0/16'), cidr('10.0.0.0/8')), false);
    assert.equal(cidrCovers(cidr('0.0.0.0/0'), cidr('::/0')), false);
  });
});

describe('address ranges', () => {
  it('subtracts except blocks', () => {
    const left = subtractRanges(rangesOf([cidr('10.0.0.0/24')]), rangesOf([cidr('10.0.0.0/25')]));
    assert.equal(sizeOf(left, 4), 128n);
  });

  it('the public share of the internet-wide blocks', () => {
    assert.equal(publicShare(rangesOf([cidr('0.0.0.0/0')]), 4), 1);
    assert.equal(publicShare(rangesOf([cidr('::/0')]), 6), 1);
    assert.equal(publicShare(rangesOf([cidr('10.0.0.0/8')]), 4), 0);
    const withPrivateExcepts = subtractRanges(
      rangesOf([cidr('0.0.0.0/0')]),
      rangesOf([cidr('10.0.0.0/8'), cidr('172.16.0.0/12'), cidr('192.168.0.0/16')]),
    );
    assert.equal(publicShare(withPrivateExcepts, 4), 1);
    assert.ok(publicShare(rangesOf([cidr('8.8.8.0/24')]), 4) < 0.001);
  });
});
