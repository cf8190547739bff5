/** Text helpers without dependencies: workflow code (`@pincer/channels/workflow`) imports them too. */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Lone surrogates as U+FFFD: JSON and PostgreSQL refuse them. */
export function wellFormedOf(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * Splits text into parts of at most `limit` UTF-16 units (the platforms' own measure), never
 * between the two halves of a surrogate pair (an emoji), so every part is well-formed.
 */
export function splitText(text: string, limit: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = limit;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest) parts.push(rest);
  return parts;
}
