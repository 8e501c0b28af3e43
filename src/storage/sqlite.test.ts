import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { SqliteStore } from './sqlite.js';
import { runStoreContract } from './store.contract.js';

runStoreContract('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'minik8s-sqlite-'));
  const store = new SqliteStore(join(dir, 'state.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteStore durability', () => {
  it('keeps every acknowledged write when the writer is killed with SIGKILL', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'minik8s-sqlite-kill-'));
    try {
      const db = join(dir, 'state.db');
      // The child imports the very build this test runs from, not whatever dist/ holds.
      const script = join(dir, 'writer.mjs');
      await writeFile(
        script,
        `import { SqliteStore } from ${JSON.stringify(new URL('./sqlite.js', import.meta.url).href)};
const store = new SqliteStore(process.argv[2]);
for (let i = 0; ; i++) {
  const rev = await store.create('/durable/' + String(i).padStart(6, '0'), 'v' + i);
  process.stdout.write(i + ' ' + rev + '\\n');
}
`,
      );
      const child = spawn(process.execPath, [script, db], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      // Kill mid-stream, after a few hundred acknowledgements; later lines may still be in flight.
      const acked = new Map<string, number>();
      for await (const line of createInterface({ input: child.stdout })) {
        const [i, rev] = line.split(' ');
        acked.set(`/durable/${(i ?? '').padStart(6, '0')}`, Number(rev));
        if (acked.size === 300) child.kill('SIGKILL');
      }
      await exited;
      assert.ok(acked.size >= 300, `writer acknowledged only ${acked.size} writes; stderr:\n${stderr}`);

      const store = new SqliteStore(db);
      try {
        const items = new Map((await store.list('/durable/')).items.map((kv) => [kv.key, kv.modRevision]));
        const lost = [...acked].filter(([k, rev]) => items.get(k) !== rev).map(([k]) => k);
        assert.deepEqual(lost, [], `acknowledged writes lost after kill -9 (${acked.size} acknowledged)`);
        assert.ok((await store.currentRevision()) >= Math.max(...acked.values()));
      } finally {
        await store.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
