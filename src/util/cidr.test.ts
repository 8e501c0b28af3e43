import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firstFreeSubnet, formatCidr, intToIp, ipToInt, overlaps, parseCidr, subnetAt, subnetCount } from './cidr.js';

describe('cidr', () => {
  it('parses and formats IPv4 CIDRs, refusing host bits and junk', () => {
    assert.deepEqual(parseCidr('10.244.0.0/16'), { base: ipToInt('10.244.0.0'), bits: 16 });
    assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
    assert.equal(intToIp(ipToInt('255.255.255.255')), '255.255.255.255');
    for (const bad of ['10.244.0.1/16', '10.244.0.0', '10.244.0.0/33', '10.256.0.0/16', 'a.b.c.d/8', '10.244.0.0/16/1'])
      assert.throws(() => parseCidr(bad), /CIDR|host bits|IPv4/, bad);
  });

  it('splits a cluster CIDR into node subnets', () => {
    const c = parseCidr('10.244.0.0/16');
    assert.equal(subnetCount(c, 24), 256);
    assert.equal(formatCidr(subnetAt(c, 24, 0)), '10.244.0.0/24');
    assert.equal(formatCidr(subnetAt(c, 24, 255)), '10.244.255.0/24');
    assert.throws(() => subnetCount(c, 8));
  });

  it('overlaps is true for nested and equal ranges only', () => {
    assert.ok(overlaps(parseCidr('10.244.0.0/16'), parseCidr('10.244.7.0/24')));
    assert.ok(overlaps(parseCidr('10.244.7.0/24'), parseCidr('10.244.7.0/24')));
    assert.ok(!overlaps(parseCidr('10.244.7.0/24'), parseCidr('10.244.8.0/24')));
  });

  it('firstFreeSubnet picks the lowest subnet no used range overlaps, and reports exhaustion', () => {
    const c = parseCidr('10.244.0.0/22');
    assert.equal(firstFreeSubnet(c, 24, []), '10.244.0.0/24');
    assert.equal(firstFreeSubnet(c, 24, ['10.244.0.0/24', '10.244.2.0/24']), '10.244.1.0/24');
    // A used range larger than a node subnet blocks every subnet inside it; junk blocks nothing.
    assert.equal(firstFreeSubnet(c, 24, ['10.244.0.0/23', 'nonsense']), '10.244.2.0/24');
    assert.equal(firstFreeSubnet(c, 24, ['10.244.0.0/22']), undefined);
  });
});
