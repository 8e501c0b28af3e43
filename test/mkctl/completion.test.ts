// Shell completion end to end: the bash script loaded into a real bash, a simulated <TAB> that returns
// live pod names from the cluster, and the hidden `__complete` command behind every shell's script.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { MKCTL } from '../support/mkctl.js';
import { createAll, lines, pod, suite } from './fixtures.js';

const s = suite();

/** Runs a bash script with bin/ on PATH (as an installed mkctl would be) and the test server's kubeconfig. */
function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      env: { ...process.env, PATH: `${dirname(MKCTL)}:${process.env['PATH'] ?? ''}`, KUBECONFIG: s.server().kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** What pressing TAB at the end of `line` offers in bash, via the loaded completion function. */
async function tab(line: string): Promise<string[]> {
  const script = `source <(mkctl completion bash) || exit 3
COMP_LINE=${JSON.stringify(line)}
COMP_POINT=\${#COMP_LINE}
read -r -a COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
# bash splits at = as well: mimic its COMP_WORDS for --flag=value.
if [[ \${COMP_WORDS[-1]} == *=* ]]; then last=\${COMP_WORDS[-1]}; unset 'COMP_WORDS[-1]'; COMP_WORDS+=("\${last%%=*}" "=" ); [[ -n \${last#*=} ]] && COMP_WORDS[-1]=\${last#*=}; fi
COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
_mkctl
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await bash(script);
  assert.equal(r.code, 0, `bash exited ${r.code}: ${r.stderr}`);
  return lines(r.stdout);
}

describe('mkctl completion', () => {
  it('loads into a real bash and registers itself for mkctl', async () => {
    const r = await bash('source <(mkctl completion bash) && complete -p mkctl');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'complete -F _mkctl mkctl\n');
  });

  it('completes live pod names from the cluster on TAB, in the namespace typed', async () => {
    const ns = await s.namespace('complete');
    await createAll(s, [pod(ns, 'web-1'), pod(ns, 'web-2'), pod(ns, 'db-1'), pod('default', 'default-pod')]);
    assert.deepEqual(await tab(`mkctl get pods -n ${ns} `), ['db-1', 'web-1', 'web-2']);
    assert.deepEqual(await tab(`mkctl -n ${ns} describe po web`), ['web-1', 'web-2']);
    assert.deepEqual(await tab(`mkctl delete pod web-1 -n ${ns} `), ['db-1', 'web-2'], 'names already typed are not offered again');
    assert.deepEqual(await tab(`mkctl get --namespace ${ns} pod/w`), ['pod/web-1', 'pod/web-2']);
    assert.ok((await tab('mkctl get pods ')).includes('default-pod'), 'without -n: the context namespace');
  });

  it('completes commands, kinds, flags, flag values and namespaces', async () => {
    assert.deepEqual(await tab('mkctl ge'), ['get']);
    assert.deepEqual(await tab('mkctl a'), ['apply', 'annotate', 'api-resources', 'api-versions']);
    assert.deepEqual(await tab('mkctl get deplo'), ['deployments']);
    assert.deepEqual(await tab('mkctl get pods,se'), ['pods,services', 'pods,secrets']);
    assert.deepEqual(await tab('mkctl get pods --show-l'), ['--show-labels']);
    assert.deepEqual(await tab('mkctl get pods -o '), ['wide', 'yaml', 'json', 'name', 'jsonpath=', 'custom-columns=']);
    assert.deepEqual(await tab('mkctl patch deploy web --type '), ['strategic', 'merge', 'json']);
    assert.deepEqual(await tab('mkctl get pods -n kube-'), ['kube-node-lease', 'kube-public', 'kube-system']);
    assert.deepEqual(await tab('mkctl get pods --namespace=kube-s'), ['kube-system']);
    assert.deepEqual(await tab('mkctl config '), ['view', 'get-contexts', 'use-context', 'current-context', 'set-context']);
    assert.deepEqual(await tab('mkctl config use-context '), ['minik8s']);
    assert.deepEqual(await tab('mkctl completion '), ['bash', 'zsh', 'fish']);
  });

  it('answers the shells through __complete, with file completion for -f', async () => {
    assert.equal(await s.ok(['__complete', 'apply', '-f', '']), ':1\n');
    assert.equal(await s.ok(['__complete', 'get', 'pods', '-o', 'j']), 'json\njsonpath=\n:2\n');
    assert.equal(await s.ok(['__complete', 'version', '']), ':0\n');
    assert.equal(
      (await s.run(['__complete', 'get', 'pods', '--kubeconfig', '/nonexistent', ''])).stdout,
      ':0\n',
      'no cluster: no candidates and no error text',
    );
  });

  it('prints zsh and fish scripts built on the same __complete', async () => {
    const zsh = await s.ok(['completion', 'zsh']);
    assert.match(zsh, /^#compdef mkctl\n/);
    assert.match(zsh, /__complete/);
    assert.match(zsh, /compdef _mkctl mkctl/);
    const fish = await s.ok(['completion', 'fish']);
    assert.match(fish, /complete -c mkctl -f -a '\(__mkctl_complete\)'/);
    assert.match((await s.fails(['completion', 'powershell'])).stderr, /completion takes one shell: bash, zsh or fish/);
  });
});
