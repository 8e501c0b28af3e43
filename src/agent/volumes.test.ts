import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { makePod } from './testing.js';
import type { ConfigMap, Secret } from './types.js';
import { VolumeManager, type VolumeSources } from './volumes.js';

function sources(cms: Record<string, ConfigMap>, secrets: Record<string, Secret> = {}): VolumeSources {
  return {
    configMap: (_ns, name) => Promise.resolve(cms[name]),
    secret: (_ns, name) => Promise.resolve(secrets[name]),
  };
}

describe('volumes', () => {
  it('writes ConfigMap and Secret files, honours items and modes, and prunes removed keys', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'minik8s-vol-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const vm = new VolumeManager(root);
    const pod = makePod('p', {
      volumes: [
        { name: 'cfg', configMap: { name: 'cm' } },
        { name: 'sel', configMap: { name: 'cm', items: [{ key: 'b', path: 'dir/b.txt', mode: 0o600 }] } },
        { name: 'sec', secret: { secretName: 's', defaultMode: 0o400 } },
        { name: 'scratch', emptyDir: { medium: 'Memory' } },
      ],
    });
    const cm: ConfigMap = { metadata: { name: 'cm' }, data: { a: 'A', b: 'B' } };
    const s: Secret = { metadata: { name: 's' }, data: { token: Buffer.from('t0p').toString('base64') } };
    const r = await vm.setup(pod, sources({ cm }, { s }));
    assert.ok(r.ok, JSON.stringify(r));
    const cfg = r.paths.get('cfg')?.hostPath ?? '';
    assert.equal(readFileSync(join(cfg, 'a'), 'utf8'), 'A');
    assert.equal(readFileSync(join(cfg, 'b'), 'utf8'), 'B');
    const sel = r.paths.get('sel')?.hostPath ?? '';
    assert.equal(readFileSync(join(sel, 'dir/b.txt'), 'utf8'), 'B');
    assert.equal(statSync(join(sel, 'dir/b.txt')).mode & 0o777, 0o600);
    assert.equal(existsSync(join(sel, 'a')), false);
    const sec = r.paths.get('sec')?.hostPath ?? '';
    assert.equal(readFileSync(join(sec, 'token'), 'utf8'), 't0p');
    assert.equal(statSync(join(sec, 'token')).mode & 0o777, 0o400);
    assert.equal(r.paths.get('sec')?.readOnly, true);
    assert.equal(r.paths.get('scratch')?.readOnly, false);

    // The ConfigMap changes: the next setup rewrites and prunes.
    const r2 = await vm.setup(pod, sources({ cm: { metadata: { name: 'cm' }, data: { a: 'A2' } } }, { s }));
    assert.equal(r2.ok, false, 'item key b is gone and not optional');
    const pod2 = makePod('p', { volumes: [{ name: 'cfg', configMap: { name: 'cm' } }] }, { uid: pod.metadata.uid ?? '' });
    const r3 = await vm.setup(pod2, sources({ cm: { metadata: { name: 'cm' }, data: { a: 'A2' } } }));
    assert.ok(r3.ok);
    assert.equal(readFileSync(join(cfg, 'a'), 'utf8'), 'A2');
    assert.equal(existsSync(join(cfg, 'b')), false);

    await vm.cleanup(pod.metadata.uid ?? '');
    assert.equal(existsSync(vm.podDir(pod.metadata.uid ?? '')), false);
  });

  it('fails clearly on missing objects unless optional; refuses escaping paths', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'minik8s-vol-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const vm = new VolumeManager(root);
    const missing = await vm.setup(makePod('p', { volumes: [{ name: 'v', configMap: { name: 'nope' } }] }), sources({}));
    assert.deepEqual(missing, { ok: false, error: 'volume "v": configmap "nope" not found' });
    const optional = await vm.setup(makePod('p', { volumes: [{ name: 'v', secret: { secretName: 'nope', optional: true } }] }), sources({}));
    assert.ok(optional.ok);
    const escape = await vm.setup(
      makePod('p', { volumes: [{ name: 'v', configMap: { name: 'cm', items: [{ key: 'a', path: '../../etc/passwd' }] } }] }),
      sources({ cm: { metadata: { name: 'cm' }, data: { a: 'x' } } }),
    );
    assert.equal(escape.ok, false);
    assert.equal(
      vm.mountsFor({ name: 'c', volumeMounts: [{ name: 'v', mountPath: '/x', subPath: '../up' }] }, new Map([['v', { hostPath: root, readOnly: false }]])),
      'subPath "../up" must be relative and must not contain \'..\'',
    );
    assert.equal(
      vm.mountsFor({ name: 'c', volumeMounts: [{ name: 'other', mountPath: '/x' }] }, new Map()),
      'volumeMount "other" refers to no volume of the pod',
    );
  });

  it('hostPath types: DirectoryOrCreate and FileOrCreate create, File and Directory check', async (t) => {
    const root = mkdtempSync(join(tmpdir(), 'minik8s-vol-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const vm = new VolumeManager(root);
    const dir = join(root, 'host', 'd');
    const file = join(root, 'host', 'f.txt');
    const ok = await vm.setup(
      makePod('p', {
        volumes: [
          { name: 'd', hostPath: { path: dir, type: 'DirectoryOrCreate' } },
          { name: 'f', hostPath: { path: file, type: 'FileOrCreate' } },
        ],
      }),
      sources({}),
    );
    assert.ok(ok.ok);
    assert.ok(statSync(dir).isDirectory());
    assert.ok(statSync(file).isFile());
    writeFileSync(join(root, 'plain'), 'x');
    const bad = await vm.setup(makePod('p', { volumes: [{ name: 'd', hostPath: { path: join(root, 'plain'), type: 'Directory' } }] }), sources({}));
    assert.equal(bad.ok, false);
    const mounts = vm.mountsFor({ name: 'c', volumeMounts: [{ name: 'd', mountPath: '/d', subPath: 'sub' }] }, ok.ok ? ok.paths : new Map());
    assert.deepEqual(mounts, [{ hostPath: join(dir, 'sub'), containerPath: '/d', readOnly: false }]);
  });
});
