// RFC 6902 JSON Patch. The document is copied once, the operations are applied to the copy in order, and the
// copy is returned only if every operation succeeded, so a failing patch changes nothing.

import { badPatch, PatchError } from './errors.js';
import { arrayIndex, parsePointer } from './jsonpointer.js';
import { cloneJson, deepEqual, getKey, hasKey, isMap, setKey } from './value.js';

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** Checks the shape of a parsed patch body; a malformed document is a BadRequest. */
export function parseJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) throw badPatch('jsonpatch: the patch must be a JSON array of operations');
  return patch.map((raw: unknown, i): JsonPatchOperation => {
    if (!isMap(raw)) throw badPatch(`jsonpatch: operation ${i} is not an object`);
    const op = getKey(raw, 'op');
    const path = getKey(raw, 'path');
    if (typeof op !== 'string' || !OPS.has(op))
      throw badPatch(`jsonpatch: operation ${i} has unknown op ${JSON.stringify(op)}`);
    if (typeof path !== 'string') throw badPatch(`jsonpatch: operation ${i} (${op}) has no string "path"`);
    if (op === 'remove') return { op, path };
    if (op === 'move' || op === 'copy') {
      const from = getKey(raw, 'from');
      if (typeof from !== 'string') throw badPatch(`jsonpatch: operation ${i} (${op}) has no string "from"`);
      return { op, from, path };
    }
    if (!hasKey(raw, 'value')) throw badPatch(`jsonpatch: operation ${i} (${op}) has no "value"`);
    return { op: op as 'add' | 'replace' | 'test', path, value: getKey(raw, 'value') };
  });
}

/** Applies an RFC 6902 patch (already parsed from JSON) to a document. Never mutates either argument. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  let out = cloneJson(doc);
  for (const op of parseJsonPatch(patch)) out = applyOperation(out, op);
  return out;
}

function applyOperation(doc: unknown, op: JsonPatchOperation): unknown {
  switch (op.op) {
    case 'add':
      return add(doc, op.path, cloneJson(op.value));
    case 'remove':
      remove(doc, op.path);
      return doc;
    case 'replace':
      return replace(doc, op.path, cloneJson(op.value));
    case 'move': {
      if (op.path.startsWith(op.from + '/'))
        throw new PatchError(`jsonpatch: cannot move ${op.from} into its own child ${op.path}`);
      const value = get(doc, op.from);
      if (op.from === op.path) return doc;
      remove(doc, op.from);
      return add(doc, op.path, value);
    }
    case 'copy':
      return add(doc, op.path, cloneJson(get(doc, op.from)));
    case 'test': {
      const actual = get(doc, op.path);
      if (!deepEqual(actual, op.value)) {
        throw new PatchError(
          `jsonpatch: test failed at ${op.path || '""'}: expected ${JSON.stringify(op.value)}, found ${JSON.stringify(actual)}`,
        );
      }
      return doc;
    }
  }
}

function tokens(path: string): string[] {
  const t = parsePointer(path);
  if (typeof t === 'string') throw badPatch(`jsonpatch: ${t}`);
  return t;
}

/** The container holding the pointer's last token, and that token. */
function parentOf(doc: unknown, path: string): { parent: unknown; last: string } {
  const t = tokens(path);
  const last = t.pop();
  if (last === undefined) throw new Error('jsonpatch: parentOf("") is handled by the callers');
  return { parent: walk(doc, t, path), last };
}

function walk(doc: unknown, t: readonly string[], path: string): unknown {
  let cur = doc;
  for (const token of t) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(token);
      if (i === undefined || i >= cur.length) throw notFound(path);
      cur = cur[i];
    } else if (isMap(cur) && hasKey(cur, token)) {
      cur = cur[token];
    } else {
      throw notFound(path);
    }
  }
  return cur;
}

function get(doc: unknown, path: string): unknown {
  return walk(doc, tokens(path), path);
}

function add(doc: unknown, path: string, value: unknown): unknown {
  if (path === '') return value;
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : arrayIndex(last);
    if (i === undefined || i > parent.length)
      throw new PatchError(`jsonpatch: path ${path}: index ${last} is out of bounds`);
    parent.splice(i, 0, value);
  } else if (isMap(parent)) {
    setKey(parent, last, value);
  } else {
    throw notFound(path);
  }
  return doc;
}

function replace(doc: unknown, path: string, value: unknown): unknown {
  if (path === '') return value;
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(last);
    if (i === undefined || i >= parent.length) throw notFound(path);
    parent[i] = value;
  } else if (isMap(parent) && hasKey(parent, last)) {
    setKey(parent, last, value);
  } else {
    throw notFound(path);
  }
  return doc;
}

function remove(doc: unknown, path: string): void {
  if (path === '') throw new PatchError('jsonpatch: cannot remove the whole document');
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(last);
    if (i === undefined || i >= parent.length) throw notFound(path);
    parent.splice(i, 1);
  } else if (isMap(parent) && hasKey(parent, last)) {
    delete parent[last];
  } else {
    throw notFound(path);
  }
}

function notFound(path: string): PatchError {
  return new PatchError(`jsonpatch: path ${path} not found`);
}
