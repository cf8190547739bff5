/**
 * PostgreSQL's jsonb cannot hold the NUL character (U+0000): it refuses the whole statement
 * (22P05). Run input with one is refused with a clear error; what steps produce is stored with
 * each NUL replaced by U+FFFD (the replacement character), so a binary-ish output never loses a run.
 */
const ESCAPED_NUL = '\\u0000';
const REPLACEMENT = '\uFFFD';

function clean(text: string): string {
  return text.includes('\0') ? text.replaceAll('\0', REPLACEMENT) : text;
}

/** `JSON.stringify` for jsonb: NULs in strings and keys become U+FFFD. */
export function jsonForRecord(value: unknown): string {
  const json = JSON.stringify(value);
  // Fast path: no NUL anywhere (the escaped form only appears for one, or for a literal "\u0000").
  if (!json.includes(ESCAPED_NUL)) return json;
  return JSON.stringify(value, (_key, entry: unknown) => {
    if (typeof entry === 'string') return clean(entry);
    if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
      const keys = Object.keys(entry);
      if (keys.some((key) => key.includes('\0')))
        return Object.fromEntries(Object.entries(entry).map(([key, inner]) => [clean(key), inner]));
    }
    return entry;
  });
}

/** Where the first NUL in a value is (`body.name`, `body[2]`, `(a key in) body`), else null. */
export function nulPath(value: unknown, at = ''): string | null {
  if (typeof value === 'string') return value.includes('\0') ? at || '(the value)' : null;
  if (Array.isArray(value)) {
    for (const [index, entry] of value.entries()) {
      const found = nulPath(entry, `${at}[${index}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, entry] of Object.entries(value)) {
      if (key.includes('\0')) return `a key in ${at || '(the value)'}`;
      const found = nulPath(entry, at ? `${at}.${key}` : key);
      if (found) return found;
    }
  }
  return null;
}
