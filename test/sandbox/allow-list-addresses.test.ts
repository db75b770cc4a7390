import { describe, expect, it } from 'vitest';
import { AllowListTargets } from '../../src/sandbox/allow-list-targets.js';
import { ThisMachine } from '../../src/sandbox/this-machine.js';
import { proxyEnv } from '../../src/sandbox/network-gate.js';

// What the allow-list proxy is given, apart from the proxy itself (issue 39): the
// addresses that lead to this machine, the entries that reach them, and the
// environment that points a command at the proxy.

describe('what points a command at the proxy', () => {
  it('names the token as the password, in both cases, and keeps the loopback direct', () => {
    expect(proxyEnv(3128, 'abc')).toEqual({
      HTTP_PROXY: 'http://troupe:abc@127.0.0.1:3128',
      HTTPS_PROXY: 'http://troupe:abc@127.0.0.1:3128',
      http_proxy: 'http://troupe:abc@127.0.0.1:3128',
      https_proxy: 'http://troupe:abc@127.0.0.1:3128',
      NO_PROXY: 'localhost,127.0.0.1,::1',
      no_proxy: 'localhost,127.0.0.1,::1',
      NODE_USE_ENV_PROXY: '1',
    });
  });
});

describe('names that lead to this machine', () => {
  const machine = new ThisMachine(() => [
    '127.0.0.1',
    '::1',
    '10.0.0.5',
    '172.17.0.1',
    'fd00::2',
    'fe80::fc:ff:fe00:1',
  ]);

  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['0.0.0.0', 'loopback'],
    ['0.1.2.3', 'loopback'],
    ['::', 'loopback'],
    ['10.0.0.5', 'this-machine'],
    ['::ffff:10.0.0.5', 'this-machine'],
    ['172.17.0.1', 'this-machine'],
    ['fd00::2', 'this-machine'],
    ['169.254.1.1', 'link-local'],
    ['::ffff:169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['::ffff:100.100.100.200', 'metadata'],
    ['192.0.0.192', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['10.0.0.6', null],
    ['172.17.0.2', null],
    ['140.82.112.3', null],
    ['2606:4700::1111', null],
    ['not-an-address', null],
  ])('%s leads to: %s', (address, reason) => {
    expect(machine.reason(address)).toBe(reason);
  });

  it('reads the interfaces again when an address comes up later', async () => {
    const addresses = ['10.0.0.5'];
    const later = new ThisMachine(() => addresses);
    expect(later.reason('192.168.7.7')).toBeNull();
    addresses.push('192.168.7.7');
    await new Promise((done) => setTimeout(done, 1_100));
    expect(later.reason('192.168.7.7')).toBe('this-machine');
  });

  it('lets an entry that names such an address reach it', async () => {
    const targets = new AllowListTargets({
      allow: ['169.254.169.254:80', '10.0.0.5:8080'],
      machineAddresses: () => ['10.0.0.5'],
    });
    expect(await targets.check('169.254.169.254', 80)).toEqual({ host: '169.254.169.254', address: '169.254.169.254' });
    expect(await targets.check('10.0.0.5', 8080)).toEqual({ host: '10.0.0.5', address: '10.0.0.5' });
    expect(await targets.check('169.254.169.254', 443)).toMatchObject({ refusal: { reason: 'not-listed' } });
  });
});
