/**
 * Secret references. The workflow turns `{{ secrets.NAME }}` into a reference that carries a
 * nonce of the run; the activity puts the secret's value only where a reference with that nonce
 * stands. Text that merely looks like a template (a webhook body holding `{{ secrets.token }}`,
 * an e-mail, a web page) is data, never filled in: the nonce cannot be guessed from outside.
 */

const REFERENCE = /⟦secret:([0-9a-f-]{36}):([A-Za-z_]\w*)⟧/g;

export function secretRef(nonce: string, name: string): string {
  return `⟦secret:${nonce}:${name}⟧`;
}

/** The name a whole-secret expression reads (`secrets.token` → `token`), else null. */
export function secretName(expression: string): string | null {
  return /^secrets\.([A-Za-z_]\w*)$/.exec(expression.trim())?.[1] ?? null;
}

/**
 * The secrets a step's config as written (in its pinned plan) may read: those of its
 * `{{ secrets.NAME }}` templates, and any plain string (a node field that names a credential).
 */
export function secretsNamedIn(config: unknown): Set<string> {
  const names = new Set<string>();
  mapStrings(config, (text) => {
    if (!text.includes('{{')) names.add(text);
    for (const match of text.matchAll(/\{\{([\s\S]+?)\}\}/g)) {
      const name = secretName(match[1] ?? '');
      if (name) names.add(name);
    }
    return text;
  });
  return names;
}

function mapStrings(value: unknown, map: (text: string) => unknown): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map((entry) => mapStrings(entry, map));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, mapStrings(entry, map)]));
  }
  return value;
}

/** The value as people should see it in records: references shown as `{{ secrets.NAME }}`. */
export function showSecretRefs(value: unknown): unknown {
  return mapStrings(value, (text) =>
    text.includes('⟦secret:')
      ? text.replace(REFERENCE, (_match, _nonce, name) => `{{ secrets.${name} }}`)
      : text,
  );
}

/** The names of the secrets a value references with this run's nonce. */
export function referencedSecrets(value: unknown, nonce: string): Set<string> {
  const names = new Set<string>();
  mapStrings(value, (text) => {
    for (const match of text.matchAll(REFERENCE)) if (match[1] === nonce && match[2]) names.add(match[2]);
    return text;
  });
  return names;
}

/** Puts the secrets' values where this run's references stand; other text is left as it is. */
export async function fillSecretRefs(
  value: unknown,
  nonce: string,
  secret: (name: string) => Promise<string>,
): Promise<unknown> {
  const values = new Map<string, string>();
  for (const name of referencedSecrets(value, nonce)) values.set(name, await secret(name));
  if (values.size === 0) return value;
  return mapStrings(value, (text) =>
    text.replace(REFERENCE, (match, refNonce: string, name: string) =>
      refNonce === nonce ? (values.get(name) ?? match) : match,
    ),
  );
}

/** What records show instead of a secret's value. */
export const SECRET_MASK = '****';
/** Shorter values are not masked: replacing every "ab" in a record would hide the record, not a secret. */
const MIN_MASKED_LENGTH = 4;

/**
 * Masks secret values wherever they stand in text, as written and URL-encoded (a token in a URL
 * path or query). The longest first, so a value that contains another is masked whole.
 */
export function secretMasker(values: Iterable<string>): (text: string) => string {
  const forms = new Set<string>();
  for (const value of values) {
    if (value.length < MIN_MASKED_LENGTH) continue;
    forms.add(value);
    forms.add(encodeURIComponent(value));
  }
  const ordered = [...forms].sort((a, b) => b.length - a.length);
  return (text) => {
    let masked = text;
    for (const form of ordered) if (masked.includes(form)) masked = masked.split(form).join(SECRET_MASK);
    return masked;
  };
}

/** A value with every string in it (object keys too) passed through `mask`. */
export function maskStrings(value: unknown, mask: (text: string) => string): unknown {
  if (typeof value === 'string') return mask(value);
  if (Array.isArray(value)) return value.map((entry) => maskStrings(entry, mask));
  const prototype = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (prototype === Object.prototype || prototype === null) {
    return Object.fromEntries(
      Object.entries(value as object).map(([key, entry]) => [mask(key), maskStrings(entry, mask)]),
    );
  }
  return value;
}
