// mkctl: the command-line client. This file is the whole command surface in one literal table (name →
// summary, flags, what completes its arguments, and a lazy import of the module that runs it), plus the
// dispatch around it. It imports only the flag parser, so `mkctl version --client`, `help` and
// `completion` start without the client or the YAML parser; each command loads what it needs.
// Adding a command: a row here and a file in commands/ exporting `run(ctx)` (see README.md).

import { findCommand, parseArgs, type FlagSpec, type FlagSpecs } from './args.js';
import { CommandContext, processStreams, type CommandTable } from './context.js';
import { reportError } from './errors.js';

/** Accepted everywhere, before or after the command. */
const GLOBAL_FLAGS: FlagSpecs = {
  kubeconfig: { type: 'string', summary: 'path to the kubeconfig file', values: 'files' },
  context: { type: 'string', summary: 'the kubeconfig context to use', values: 'contexts' },
  namespace: { type: 'string', short: 'n', summary: 'the namespace for this request', values: 'namespaces' },
  help: { type: 'bool', short: 'h', summary: 'help for the command' },
};

const f = {
  filename: { type: 'strings', short: 'f', summary: 'a manifest file, a directory, or - for stdin (repeatable)', values: 'files' },
  recursive: { type: 'bool', short: 'R', summary: 'read directories given with -f recursively' },
  selector: { type: 'string', short: 'l', summary: 'label selector (app=web, tier in (a,b), !canary)' },
  fieldSelector: { type: 'string', summary: 'field selector (status.phase=Running, spec.nodeName=n1)' },
  allNamespaces: { type: 'bool', short: 'A', summary: 'across all namespaces' },
  all: { type: 'bool', summary: 'every object of the kind in the namespace' },
  dryRun: {
    type: 'string',
    bare: 'client',
    summary: 'none, client (print only) or server (validated, not stored)',
    default: 'none',
    values: ['none', 'client', 'server'],
  },
  outputName: {
    type: 'string',
    short: 'o',
    summary: 'print the objects instead: name, json, yaml, jsonpath=TEMPLATE, custom-columns=SPEC',
    values: ['name', 'json', 'yaml', 'jsonpath=', 'custom-columns='],
  },
  timeout: { type: 'string', summary: 'how long to wait (30s, 5m; 0 waits forever)' },
} satisfies Record<string, FlagSpec>;

const GET_OUTPUTS = ['wide', 'yaml', 'json', 'name', 'jsonpath=', 'custom-columns='];

const COMMANDS: CommandTable = {
  get: {
    summary: 'list objects, or show some by name',
    usage: 'mkctl get KIND[,KIND...] [NAME...] | KIND/NAME... [flags]',
    group: 'basic',
    args: 'resources',
    examples: ['mkctl get pods -o wide', 'mkctl get deploy,svc -l app=web', 'mkctl get pod web-1 -o jsonpath={.status.podIP}', 'mkctl get pods -A -w'],
    flags: {
      output: { type: 'string', short: 'o', summary: 'wide, yaml, json, name, jsonpath=TEMPLATE, custom-columns=SPEC', values: GET_OUTPUTS },
      selector: f.selector,
      'field-selector': f.fieldSelector,
      'all-namespaces': f.allNamespaces,
      watch: { type: 'bool', short: 'w', summary: 'after listing, keep printing changes' },
      'watch-only': { type: 'bool', summary: 'print changes only, not the current objects' },
      'show-labels': { type: 'bool', summary: 'add a LABELS column' },
      'label-columns': { type: 'strings', short: 'L', summary: 'add a column with the value of this label (repeatable, comma-separated)' },
      'no-headers': { type: 'bool', summary: 'leave out the header row' },
      'sort-by': { type: 'string', summary: 'sort by a JSONPath expression (.metadata.creationTimestamp)' },
      'ignore-not-found': { type: 'bool', summary: 'a name that does not exist is not an error' },
    },
    load: () => import('./commands/get.js'),
  },
  describe: {
    summary: 'show the details of objects and their events',
    usage: 'mkctl describe KIND [NAME...] | KIND/NAME [flags]',
    group: 'basic',
    args: 'resources',
    flags: {
      selector: f.selector,
      'all-namespaces': f.allNamespaces,
      'show-events': { type: 'bool', default: true, summary: 'list the events about the object' },
    },
    load: () => import('./commands/describe.js'),
  },
  logs: {
    summary: 'print the log of a container in a pod',
    usage: 'mkctl logs POD|KIND/NAME [CONTAINER] [-c CONTAINER] [-f] [--tail N] [--since 5m] [--timestamps] [-p] [flags]',
    group: 'basic',
    args: 'resources',
    examples: ['mkctl logs web-1', 'mkctl logs -f web-1 -c app --tail 20', 'mkctl logs deploy/web --since 10m'],
    flags: {
      container: { type: 'string', short: 'c', summary: 'the container (default: the only one, or the kubectl.kubernetes.io/default-container annotation)' },
      follow: { type: 'bool', short: 'f', summary: 'keep printing new lines until the container exits (or Ctrl-C)' },
      tail: { type: 'int', default: -1, summary: 'print only the last N lines (-1: all)' },
      since: { type: 'string', summary: 'only lines newer than this (10s, 5m, 2h)' },
      timestamps: { type: 'bool', summary: 'prefix each line with its RFC 3339 timestamp' },
      previous: { type: 'bool', short: 'p', summary: "the previous (exited) instance's log" },
    },
    load: () => import('./commands/logs.js'),
  },
  exec: {
    summary: 'run a command in a container',
    usage: 'mkctl exec [-i] [-t] POD|KIND/NAME [-c CONTAINER] -- COMMAND [ARGS...]',
    group: 'basic',
    args: 'resources',
    examples: ['mkctl exec web-1 -- ls /', 'mkctl exec -it web-1 -c app -- sh', 'tar c dir | mkctl exec -i web-1 -- tar x -C /tmp'],
    flags: {
      container: { type: 'string', short: 'c', summary: 'the container (default: the annotated default, else the first)' },
      stdin: { type: 'bool', short: 'i', summary: "pass mkctl's stdin to the command (its end closes the command's stdin)" },
      tty: { type: 'bool', short: 't', summary: 'with -i on a terminal: a remote terminal, the local one in raw mode' },
      quiet: { type: 'bool', short: 'q', summary: 'print only what the command writes' },
    },
    load: () => import('./commands/exec.js'),
  },
  create: {
    summary: 'create objects from manifests (or a namespace by name)',
    usage: 'mkctl create -f FILE|DIR|- [flags]  |  mkctl create namespace NAME',
    group: 'basic',
    args: ['namespace'],
    flags: {
      filename: f.filename,
      recursive: f.recursive,
      'dry-run': f.dryRun,
      output: f.outputName,
      'save-config': { type: 'bool', summary: 'record the manifest for a later apply' },
    },
    load: () => import('./commands/create.js'),
  },
  apply: {
    summary: 'create or update objects from manifests (idempotent)',
    usage: 'mkctl apply -f FILE|DIR|- [flags]',
    group: 'basic',
    args: 'none',
    examples: ['mkctl apply -f app.yaml', 'mkctl apply -R -f manifests/ --wait', 'cat app.yaml | mkctl apply -f -'],
    flags: {
      filename: f.filename,
      recursive: f.recursive,
      'dry-run': f.dryRun,
      output: f.outputName,
      wait: { type: 'bool', summary: 'wait until the applied objects are ready' },
      timeout: { ...f.timeout, default: '5m' },
    },
    load: () => import('./commands/apply.js'),
  },
  delete: {
    summary: 'delete objects by name, manifest, label selector or --all',
    usage: 'mkctl delete KIND NAME... | KIND/NAME... | -f FILE | KIND -l SELECTOR | KIND --all [flags]',
    group: 'basic',
    args: 'resources',
    flags: {
      filename: f.filename,
      recursive: f.recursive,
      selector: f.selector,
      'field-selector': f.fieldSelector,
      all: f.all,
      'all-namespaces': f.allNamespaces,
      wait: { type: 'bool', default: true, summary: 'wait until the objects are gone' },
      timeout: { ...f.timeout, default: '0' },
      'grace-period': { type: 'int', summary: 'seconds a pod gets to stop (-1: its own setting)', default: -1 },
      now: { type: 'bool', summary: 'stop pods at once (grace period 1)' },
      force: { type: 'bool', summary: 'with --grace-period=0: remove pods without waiting for the node' },
      cascade: {
        type: 'string',
        bare: 'background',
        default: 'background',
        summary: 'background, foreground or orphan',
        values: ['background', 'foreground', 'orphan'],
      },
      'ignore-not-found': { type: 'bool', summary: 'a name that does not exist is not an error' },
      'dry-run': f.dryRun,
      output: { type: 'string', short: 'o', summary: 'output format: name', values: ['name'] },
    },
    load: () => import('./commands/delete.js'),
  },
  patch: {
    summary: 'change fields of an object with a strategic, merge or JSON patch',
    usage: 'mkctl patch KIND NAME | KIND/NAME -p PATCH [--type strategic|merge|json] [flags]',
    group: 'modify',
    args: 'resources',
    examples: [`mkctl patch deploy web -p '{"spec":{"replicas":3}}'`, `mkctl patch pod web-1 --type json -p '[{"op":"remove","path":"/metadata/labels/x"}]'`],
    flags: {
      patch: { type: 'string', short: 'p', summary: 'the patch, as JSON or YAML' },
      'patch-file': { type: 'string', summary: 'read the patch from a file', values: 'files' },
      type: { type: 'string', default: 'strategic', summary: 'strategic, merge or json', values: ['strategic', 'merge', 'json'] },
      subresource: { type: 'string', summary: 'patch a subresource: status or scale', values: ['status', 'scale'] },
      'dry-run': f.dryRun,
      output: f.outputName,
    },
    load: () => import('./commands/patch.js'),
  },
  label: {
    summary: 'add, change or remove labels (KEY=VALUE, KEY-)',
    usage: 'mkctl label KIND NAME... | KIND/NAME... | KIND -l SELECTOR | KIND --all KEY=VALUE... KEY-... [flags]',
    group: 'modify',
    args: 'resources',
    flags: labelFlags('label'),
    load: () => import('./commands/label.js'),
  },
  annotate: {
    summary: 'add, change or remove annotations (KEY=VALUE, KEY-)',
    usage: 'mkctl annotate KIND NAME... | KIND/NAME... | KIND -l SELECTOR | KIND --all KEY=VALUE... KEY-... [flags]',
    group: 'modify',
    args: 'resources',
    flags: labelFlags('annotation'),
    load: () => import('./commands/label.js'),
  },
  scale: {
    summary: 'set the replica count of a deployment or replica set',
    usage: 'mkctl scale KIND NAME... | KIND/NAME... --replicas=N [flags]',
    group: 'modify',
    args: 'resources',
    flags: {
      replicas: { type: 'int', summary: 'the new replica count' },
      'current-replicas': { type: 'int', summary: 'only scale when the current count is this' },
      selector: f.selector,
      all: f.all,
      'dry-run': f.dryRun,
      output: f.outputName,
    },
    load: () => import('./commands/scale.js'),
  },
  rollout: {
    summary: 'manage the rollout of a deployment: status, history, undo, pause, resume, restart',
    usage: 'mkctl rollout status|history|undo|pause|resume|restart deployment/NAME... [flags]',
    group: 'modify',
    args: { subcommands: { status: 'resources', history: 'resources', undo: 'resources', pause: 'resources', resume: 'resources', restart: 'resources' } },
    examples: ['mkctl rollout status deploy/web --timeout 2m', 'mkctl rollout history deploy/web', 'mkctl rollout undo deploy/web --to-revision 2', 'mkctl rollout restart deploy/web'],
    flags: {
      watch: { type: 'bool', short: 'w', default: true, summary: 'status: follow until rolled out (false: print the state once)' },
      timeout: { ...f.timeout, default: '0' },
      revision: { type: 'int', summary: 'history: show the pod template of this revision' },
      'to-revision': { type: 'int', summary: 'undo: the revision to go back to (default: the previous one)' },
      'dry-run': f.dryRun,
    },
    load: () => import('./commands/rollout.js'),
  },
  'api-resources': {
    summary: 'list the kinds the server serves',
    usage: 'mkctl api-resources [flags]',
    group: 'cluster',
    args: 'none',
    flags: {
      output: { type: 'string', short: 'o', summary: 'wide or name', values: ['wide', 'name'] },
      namespaced: { type: 'string', bare: 'true', summary: 'true: only namespaced kinds; false: only cluster-wide ones', values: ['true', 'false'] },
      'api-group': { type: 'string', summary: 'only kinds of this API group ("" for core)' },
      'no-headers': { type: 'bool', summary: 'leave out the header row' },
      'sort-by': { type: 'string', summary: 'name or kind', values: ['name', 'kind'] },
    },
    load: () => import('./commands/apiresources.js'),
  },
  'api-versions': {
    summary: 'list the group/versions the server serves',
    usage: 'mkctl api-versions',
    group: 'cluster',
    args: 'none',
    flags: {},
    load: () => import('./commands/apiresources.js'),
  },
  'cluster-info': {
    summary: 'show where the control plane and cluster services run',
    usage: 'mkctl cluster-info',
    group: 'cluster',
    args: 'none',
    flags: {},
    load: () => import('./commands/clusterinfo.js'),
  },
  config: {
    summary: 'show and change the kubeconfig (view, get-contexts, use-context, current-context, set-context)',
    usage: 'mkctl config view|get-contexts|use-context NAME|current-context|set-context [NAME|--current] [flags]',
    group: 'cluster',
    args: { subcommands: { view: 'none', 'get-contexts': 'contexts', 'use-context': 'contexts', 'current-context': 'none', 'set-context': 'contexts' } },
    flags: {
      raw: { type: 'bool', summary: 'view: show certificates and tokens' },
      minify: { type: 'bool', summary: 'view: only the current context and what it uses' },
      output: { type: 'string', short: 'o', summary: 'view: yaml or json; get-contexts: name', values: ['yaml', 'json', 'name'] },
      'no-headers': { type: 'bool', summary: 'get-contexts: leave out the header row' },
      current: { type: 'bool', summary: 'set-context: change the current context' },
      cluster: { type: 'string', summary: 'set-context: the cluster entry' },
      user: { type: 'string', summary: 'set-context: the user entry' },
    },
    load: () => import('./commands/config.js'),
  },
  version: {
    summary: 'print the client and server versions',
    usage: 'mkctl version [--client] [-o json|yaml]',
    group: 'cluster',
    args: 'none',
    flags: {
      client: { type: 'bool', summary: 'the client version only (no server needed)' },
      output: { type: 'string', short: 'o', summary: 'json or yaml', values: ['json', 'yaml'] },
    },
    load: () => import('./commands/version.js'),
  },
  completion: {
    summary: 'print a shell completion script (bash, zsh or fish)',
    usage: 'mkctl completion bash|zsh|fish',
    group: 'other',
    args: ['bash', 'zsh', 'fish'],
    examples: ['source <(mkctl completion bash)', 'mkctl completion zsh > "${fpath[1]}/_mkctl"', 'mkctl completion fish | source'],
    flags: {},
    load: () => import('./commands/completion.js'),
  },
  help: {
    summary: 'help about any command',
    usage: 'mkctl help [COMMAND]',
    group: 'other',
    args: 'verbs',
    flags: {},
    load: () => import('./commands/help.js'),
  },
  __complete: {
    summary: 'completion candidates for the words typed so far (used by the completion scripts)',
    usage: 'mkctl __complete WORD... CURRENT',
    group: 'other',
    args: 'none',
    hidden: true,
    flags: {},
    load: () => import('./commands/complete.js'),
  },
};

function labelFlags(what: 'label' | 'annotation'): FlagSpecs {
  return {
    overwrite: { type: 'bool', summary: `replace an existing ${what} with a different value` },
    selector: f.selector,
    all: f.all,
    'all-namespaces': f.allNamespaces,
    list: { type: 'bool', summary: `print the ${what}s instead of changing them` },
    'resource-version': { type: 'string', summary: 'only change the object if it is still at this resourceVersion' },
    'dry-run': f.dryRun,
    output: f.outputName,
  };
}

async function main(argv: string[]): Promise<number> {
  const { index, name } = findCommand(argv, GLOBAL_FLAGS);
  const cmdName = name ?? 'help';
  const spec = Object.hasOwn(COMMANDS, cmdName) ? COMMANDS[cmdName] : undefined;
  if (!spec) {
    processStreams.err(`error: unknown command "${cmdName}" for "mkctl"\nRun 'mkctl help' for the list of commands.\n`);
    return 1;
  }
  const rest = index === -1 ? argv : [...argv.slice(0, index), ...argv.slice(index + 1)];
  let ctx: CommandContext | undefined;
  try {
    // __complete receives the user's half-typed command line: it parses it itself, tolerantly.
    const args = cmdName === '__complete' ? parseArgs([], GLOBAL_FLAGS) : parseArgs(rest, { ...GLOBAL_FLAGS, ...spec.flags });
    const raw = cmdName === '__complete' ? rest : undefined;
    if (args.bool('help') && cmdName !== 'help') {
      const help = await import('./commands/help.js');
      processStreams.out(help.commandHelp(cmdName, COMMANDS));
      return 0;
    }
    ctx = new CommandContext({ name: cmdName, args, io: processStreams, commands: COMMANDS, globals: GLOBAL_FLAGS, ...(raw ? { raw } : {}) });
    const mod = await spec.load();
    return (await mod.run(ctx)) ?? 0;
  } catch (e) {
    return reportError(e, { command: cmdName, err: processStreams.err });
  } finally {
    ctx?.close();
  }
}

// A closed pipe (`mkctl get pods | head -1`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
