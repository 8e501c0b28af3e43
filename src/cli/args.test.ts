import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCommand, parseArgs, UsageError, type FlagSpecs } from './args.js';

const specs: FlagSpecs = {
  namespace: { type: 'string', short: 'n', summary: '' },
  output: { type: 'string', short: 'o', summary: '' },
  filename: { type: 'strings', short: 'f', summary: '' },
  stdin: { type: 'bool', short: 'i', summary: '' },
  tty: { type: 'bool', short: 't', summary: '' },
  wait: { type: 'bool', default: true, summary: '' },
  replicas: { type: 'int', summary: '' },
  'dry-run': { type: 'string', bare: 'client', default: 'none', summary: '' },
};

describe('parseArgs', () => {
  it('reads every kubectl spelling of a value flag', () => {
    for (const argv of [['-n', 'x'], ['-nx'], ['-n=x'], ['--namespace', 'x'], ['--namespace=x']]) {
      assert.equal(parseArgs(argv, specs).string('namespace'), 'x', argv.join(' '));
    }
    assert.equal(parseArgs(['-ojson'], specs).string('output'), 'json');
    assert.equal(parseArgs(['-o', 'jsonpath={.a}'], specs).string('output'), 'jsonpath={.a}');
  });

  it('collects repeated flags, combined boolean shorts and interleaved positionals', () => {
    const p = parseArgs(['get', '-f', 'a.yaml', 'pods', '--filename=b.yaml', '-it', 'web'], specs);
    assert.deepEqual(p.strings('filename'), ['a.yaml', 'b.yaml']);
    assert.deepEqual(p.positionals, ['get', 'pods', 'web']);
    assert.equal(p.bool('stdin'), true);
    assert.equal(p.bool('tty'), true);
  });

  it('applies defaults, --flag=false, bare values and ints', () => {
    assert.equal(parseArgs([], specs).bool('wait'), true);
    assert.equal(parseArgs(['--wait=false'], specs).bool('wait'), false);
    assert.equal(parseArgs([], specs).string('dry-run'), 'none');
    assert.equal(parseArgs(['--dry-run'], specs).string('dry-run'), 'client');
    assert.equal(parseArgs(['--dry-run=server'], specs).string('dry-run'), 'server');
    assert.equal(parseArgs(['--replicas', '3'], specs).int('replicas'), 3);
    assert.throws(() => parseArgs(['--replicas=x'], specs), UsageError);
  });

  it('stops at -- and keeps the rest', () => {
    const p = parseArgs(['web', '--', 'ls', '-la'], specs);
    assert.deepEqual(p.positionals, ['web']);
    assert.deepEqual(p.rest, ['ls', '-la']);
  });

  it('refuses unknown flags, missing values and bad booleans with UsageError', () => {
    assert.throws(
      () => parseArgs(['--bogus'], specs),
      (e) => e instanceof UsageError && /unknown flag: --bogus/.test(e.message),
    );
    assert.throws(
      () => parseArgs(['-z'], specs),
      (e) => e instanceof UsageError && /unknown shorthand flag: 'z'/.test(e.message),
    );
    assert.throws(
      () => parseArgs(['-n'], specs),
      (e) => e instanceof UsageError && /needs an argument: -n/.test(e.message),
    );
    assert.throws(() => parseArgs(['--wait=maybe'], specs), UsageError);
  });
});

describe('findCommand', () => {
  it('skips global flags and their values before the command', () => {
    assert.deepEqual(findCommand(['-n', 'kube-system', 'get', 'pods'], specs), { index: 2, name: 'get' });
    assert.deepEqual(findCommand(['--namespace=x', 'get'], specs), { index: 1, name: 'get' });
    assert.deepEqual(findCommand(['--help'], specs), { index: -1, name: undefined });
  });
});
