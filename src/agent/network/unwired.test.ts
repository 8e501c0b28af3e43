import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { NODE_NAME_LABEL } from '../decide.js';
import { POD_IP_LABEL } from '../runtime/docker/sandbox.js';
import { FakeRuntime } from '../runtime/fake.js';
import { FakeClock } from '../../util/clock.js';
import { IpRoute, type Exec } from './ip.js';
import { hostInterface, removeUnwired } from './unwired.js';

describe('removeUnwired', () => {
  it('names the host end after the address', () => {
    assert.equal(hostInterface('10.244.1.5'), 'vm0af40105');
    assert.ok(hostInterface('255.255.255.255').length <= 15, 'fits IFNAMSIZ');
  });

  it("removes this node's running agent-wired sandboxes whose veth is not on the bridge, and nothing else", async () => {
    const rt = new FakeRuntime({ clock: new FakeClock(0), images: [] });
    const make = async (uid: string, labels: Record<string, string>): Promise<string> =>
      (await rt.createSandbox({ pod: { uid, name: uid, namespace: 'default' }, hostname: uid, hostNetwork: false, labels })).id;
    const wired = await make('a', { [NODE_NAME_LABEL]: 'n1', [POD_IP_LABEL]: '10.244.1.2' });
    const unwired = await make('b', { [NODE_NAME_LABEL]: 'n1', [POD_IP_LABEL]: '10.244.1.3' });
    const otherNode = await make('c', { [NODE_NAME_LABEL]: 'n2', [POD_IP_LABEL]: '10.244.1.4' });
    const engineNetwork = await make('d', { [NODE_NAME_LABEL]: 'n1' });
    const exec: Exec = (cmd, args) => {
      assert.deepEqual([cmd, ...args], ['ip', '-j', 'link', 'show', 'master', 'br-x']);
      return Promise.resolve(JSON.stringify([{ ifname: hostInterface('10.244.1.2') }, { ifname: 'minik8s.1' }]));
    };
    const removed = await removeUnwired({ runtime: rt, ip: new IpRoute(exec), bridge: 'br-x', nodeName: 'n1' });
    assert.deepEqual(removed, [unwired]);
    assert.deepEqual([...rt.sandboxes.keys()].sort(), [wired, otherNode, engineNetwork].sort());
  });
});
