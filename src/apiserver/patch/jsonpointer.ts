// RFC 6901 JSON pointers: "" is the whole document; "/a/b" names member b of member a;
// "~1" stands for "/" and "~0" for "~" inside a token.

/** Splits a pointer into unescaped tokens, or returns an error text. */
export function parsePointer(pointer: string): string[] | string {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return `path ${JSON.stringify(pointer)} must be empty or start with "/"`;
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split('/')) {
    if (/~[^01]|~$/.test(raw)) return `path ${pointer} has a bad escape ("~" must be followed by 0 or 1)`;
    // Order matters: "~01" is "~1" literally, so "~1" is decoded before "~0".
    tokens.push(raw.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  return tokens;
}

export function formatPointer(tokens: readonly string[]): string {
  return tokens.map((t) => '/' + t.replaceAll('~', '~0').replaceAll('/', '~1')).join('');
}

/** An array index token: "0" or digits without a leading zero (RFC 6901 §4). */
export function arrayIndex(token: string): number | undefined {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : undefined;
}
