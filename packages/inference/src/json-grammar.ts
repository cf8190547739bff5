import type { GbnfJsonSchema, Llama, LlamaGrammar } from 'node-llama-cpp';

/**
 * A grammar that constrains an answer to a JSON Schema, and the check of the answer it produced.
 *
 * node-llama-cpp's JSON-schema grammar lets numbers carry an exponent of up to 16 digits, also
 * for `integer`: a model may write `1e999` (Infinity, which becomes null in JSON) or `5e-3` (not an
 * integer). The grammar sampled from rewrites the two number rules: integers have no exponent and
 * at most 15 digits (always a safe integer), other numbers an exponent of at most two digits
 * (always finite). `check` still parses every answer against the schema, so a rule a later library
 * version renames cannot let a wrong number through silently; the caller samples again instead.
 */
export interface JsonGrammar {
  grammar: LlamaGrammar;
  /** The answer's JSON if it is valid for the schema and all its numbers are finite. */
  check(text: string): { value: unknown } | { problem: string };
}

const INTEGER_RULE = /^integer-number-rule ::= .*$/m;
const FRACTIONAL_RULE = /^fractional-number-rule ::= .*$/m;
const INTEGER = '"-"? ("0" | [1-9] [0-9]{0,14})';
const FRACTIONAL = '"-"? ("0" | [1-9] [0-9]{0,15}) ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})?';

/** The GBNF text with finite number rules (see JsonGrammar). */
export function finiteNumberRules(gbnf: string): string {
  return gbnf
    .replace(INTEGER_RULE, `integer-number-rule ::= ${INTEGER}`)
    .replace(FRACTIONAL_RULE, `fractional-number-rule ::= ${FRACTIONAL}`);
}

export async function createJsonGrammar(llama: Llama, schema: GbnfJsonSchema): Promise<JsonGrammar> {
  const schemaGrammar = await llama.createGrammarForJsonSchema<GbnfJsonSchema>(schema);
  const grammar = await llama.createGrammar({
    grammar: finiteNumberRules(schemaGrammar.grammar),
    stopGenerationTriggers: schemaGrammar.stopGenerationTriggers,
    trimWhitespaceSuffix: schemaGrammar.trimWhitespaceSuffix,
    rootRuleName: schemaGrammar.rootRuleName,
  });
  return {
    grammar,
    check(text) {
      let value: unknown;
      try {
        value = schemaGrammar.parse(text);
      } catch (error) {
        return { problem: error instanceof Error ? error.message : String(error) };
      }
      const infinite = findNonFinite(value, '$');
      return infinite ? { problem: `${infinite} is not a finite number` } : { value };
    },
  };
}

/** The path of the first number in the value that is Infinity or NaN, if any. */
function findNonFinite(value: unknown, at: string): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : at;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNonFinite(item, `${at}[${index}]`);
      if (found) return found;
    }
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findNonFinite(item, `${at}.${key}`);
      if (found) return found;
    }
  }
  return undefined;
}
