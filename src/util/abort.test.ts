import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abortable, abortReason, toError } from './abort.js';

describe('abort helpers', () => {
  it('abortReason gives an Error for any reason', () => {
    const ac = new AbortController();
    ac.abort();
    assert.ok(abortReason(ac.signal) instanceof Error);
    const custom = new Error('mine');
    const ac2 = new AbortController();
    ac2.abort(custom);
    assert.equal(abortReason(ac2.signal), custom);
    const ac3 = new AbortController();
    ac3.abort('just a string');
    assert.equal(abortReason(ac3.signal).message, 'just a string');
    assert.equal(toError(42).message, '42');
  });

  it('abortable settles like the promise when it wins', async () => {
    const ac = new AbortController();
    assert.equal(await abortable(Promise.resolve(7), ac.signal), 7);
    await assert.rejects(abortable(Promise.reject(new Error('no')), ac.signal), /no/);
  });

  it('abortable rejects at abort even if the promise never settles, and swallows its late rejection', async () => {
    const ac = new AbortController();
    let rejectLate!: (e: Error) => void;
    const never = new Promise<void>((_, reject) => (rejectLate = reject));
    const p = abortable(never, ac.signal);
    ac.abort(new Error('stopped'));
    await assert.rejects(p, /stopped/);
    rejectLate(new Error('late'));
    await new Promise((r) => setImmediate(r));
    const ac2 = new AbortController();
    ac2.abort(new Error('already'));
    await assert.rejects(abortable(Promise.resolve(1), ac2.signal), /already/);
  });
});
