// The strategic-merge-patch directive keys. They live beside the fields they steer and never reach the
// stored object.

/** `$patch: replace | merge | delete`, on a map or on a list item. */
export const PATCH = '$patch';
/** `$retainKeys: [..]`: the map keeps only these members. */
export const RETAIN_KEYS = '$retainKeys';
/** `$setElementOrder/<field>: [..]`: the order of the merged list. */
export const SET_ELEMENT_ORDER = '$setElementOrder/';
/** `$deleteFromPrimitiveList/<field>: [..]`: values to drop from a list of scalars. */
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

export function isDirective(key: string): boolean {
  return (
    key === PATCH ||
    key === RETAIN_KEYS ||
    key.startsWith(SET_ELEMENT_ORDER) ||
    key.startsWith(DELETE_FROM_PRIMITIVE_LIST)
  );
}

/** Fields named by `$setElementOrder/x` or `$deleteFromPrimitiveList/x`: they change even if x is absent. */
export function listDirectiveFields(patch: Readonly<Record<string, unknown>>): Set<string> {
  const out = new Set<string>();
  for (const key of Object.keys(patch)) {
    if (key.startsWith(SET_ELEMENT_ORDER)) out.add(key.slice(SET_ELEMENT_ORDER.length));
    else if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) out.add(key.slice(DELETE_FROM_PRIMITIVE_LIST.length));
  }
  return out;
}
