// Maps a request path onto a resource route:
//   /api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]]
//   /apis/GROUP/VERSION/[namespaces/NS/]PLURAL[/NAME[/SUB]]
// plus the legacy /watch/ prefix. Anything else is a non-resource path (discovery, health).

import { lookupResource, type ResourceType } from '../api/scheme.js';

export interface ResourceRoute {
  rt: ResourceType;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  /** The path used the legacy /watch/ form. */
  watchPath: boolean;
}

export type Route =
  | { type: 'resource'; route: ResourceRoute }
  | { type: 'groupVersion'; group: string; version: string }
  | { type: 'unknownResource' }
  | { type: 'other' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter((p) => p !== '').map(decodeURIComponentSafe);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) {
    group = '';
    version = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 3) {
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    rest = parts.slice(3);
  } else return { type: 'other' };
  if (rest.length === 0) return { type: 'groupVersion', group, version };
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // namespaces/NS/PLURAL... is a namespaced resource unless PLURAL is a namespace subresource.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const inner = lookupResource(group, version, rest[2] ?? '');
    if (inner?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const rt = lookupResource(group, version, rest[0] ?? '');
  if (!rt || rest.length > 3) return { type: 'unknownResource' };
  return { type: 'resource', route: { rt, namespace, name: rest[1], subresource: rest[2], watchPath } };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
