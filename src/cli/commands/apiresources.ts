// `mkctl api-resources` and `mkctl api-versions`, from the server's discovery (legacy /api/v1, /apis and
// /apis/GROUP/VERSION), so they show what this server serves rather than what mkctl was built with.

import type { RestClient } from '../../client/rest.js';
import { UsageError } from '../args.js';
import type { CommandContext } from '../context.js';
import { alignRows } from '../output.js';

interface ApiResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
}

interface GroupVersionResources {
  group: string;
  groupVersion: string;
  resources: ApiResource[];
}

interface ApiGroupList {
  groups: { name: string; versions: { groupVersion: string }[]; preferredVersion?: { groupVersion: string } }[];
}

async function discover(rest: RestClient, opts: { allVersions: boolean }): Promise<GroupVersionResources[]> {
  const core = await rest.json<{ versions?: string[] }>({ path: '/api' });
  const groups = await rest.json<ApiGroupList>({ path: '/apis' });
  const wanted: { group: string; groupVersion: string; path: string }[] = (core.versions ?? ['v1']).map((v) => ({
    group: '',
    groupVersion: v,
    path: `/api/${v}`,
  }));
  for (const g of groups.groups) {
    const versions = opts.allVersions ? g.versions.map((v) => v.groupVersion) : [g.preferredVersion?.groupVersion ?? g.versions[0]?.groupVersion ?? ''];
    for (const gv of versions) if (gv) wanted.push({ group: g.name, groupVersion: gv, path: `/apis/${gv}` });
  }
  return Promise.all(
    wanted.map(async (w) => ({
      group: w.group,
      groupVersion: w.groupVersion,
      resources: (await rest.json<{ resources?: ApiResource[] }>({ path: w.path })).resources ?? [],
    })),
  );
}

export async function run(ctx: CommandContext): Promise<number> {
  const client = await ctx.client();
  if (ctx.name === 'api-versions') {
    const all = await discover(client.rest, { allVersions: true });
    ctx.io.out(
      all
        .map((g) => g.groupVersion)
        .sort()
        .map((v) => `${v}\n`)
        .join(''),
    );
    return 0;
  }
  const a = ctx.args;
  const output = a.string('output');
  if (output !== undefined && output !== 'wide' && output !== 'name') throw new UsageError(`--output must be wide or name, not "${output}"`);
  const namespaced = a.string('namespaced');
  if (namespaced !== undefined && namespaced !== 'true' && namespaced !== 'false') throw new UsageError('--namespaced must be true or false');
  const sortBy = a.string('sort-by');
  if (sortBy !== undefined && sortBy !== 'name' && sortBy !== 'kind') throw new UsageError('--sort-by must be name or kind');
  const groupFilter = a.string('api-group');

  const rows: { r: ApiResource; group: string; groupVersion: string }[] = [];
  for (const gv of await discover(client.rest, { allVersions: false })) {
    if (groupFilter !== undefined && gv.group !== groupFilter) continue;
    for (const r of gv.resources) {
      if (r.name.includes('/')) continue; // subresources
      if (namespaced !== undefined && String(r.namespaced) !== namespaced) continue;
      rows.push({ r, group: gv.group, groupVersion: gv.groupVersion });
    }
  }
  const by = (f: (x: (typeof rows)[number]) => string) => (x: (typeof rows)[number], y: (typeof rows)[number]) => (f(x) < f(y) ? -1 : f(x) > f(y) ? 1 : 0);
  rows.sort(
    sortBy === 'kind' ? by((x) => x.r.kind) : sortBy === 'name' ? by((x) => x.r.name) : (x, y) => by((z) => z.group)(x, y) || by((z) => z.r.name)(x, y),
  );

  if (output === 'name') {
    ctx.io.out(rows.map((x) => `${x.group ? `${x.r.name}.${x.group}` : x.r.name}\n`).join(''));
    return 0;
  }
  const wide = output === 'wide';
  const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])];
  const body = rows.map((x) => [
    x.r.name,
    (x.r.shortNames ?? []).join(','),
    x.groupVersion,
    String(x.r.namespaced),
    x.r.kind,
    ...(wide ? [(x.r.verbs ?? []).join(','), (x.r.categories ?? []).join(',')] : []),
  ]);
  ctx.io.out(alignRows(a.bool('no-headers') ? body : [header, ...body]));
  return 0;
}
