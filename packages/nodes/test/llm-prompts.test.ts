import { describe, expect, it } from 'vitest';
import {
  classifyMessages,
  countWords,
  extractionPrompt,
  groundedSchema,
  limitWords,
  mergeVerified,
  unverifiedValues,
} from '../src/llm-prompts.ts';
import { llmClassify } from '../src/nodes/llm-classify.ts';

describe('max_words as a hard limit', () => {
  it('leaves a summary within the limit as it is', () => {
    expect(limitWords('  Short and sweet.  ', 5)).toEqual({ text: 'Short and sweet.', cut: false });
  });

  it('cuts a longer one at the last sentence end within the limit', () => {
    const text =
      'The council voted for the market. It costs 14 million pounds. Work starts in September next year.';
    const limited = limitWords(text, 12);
    expect(limited).toEqual({
      text: 'The council voted for the market. It costs 14 million pounds.',
      cut: true,
    });
    expect(countWords(limited.text)).toBeLessThanOrEqual(12);
  });

  it('cuts after the last whole word when no sentence ends early enough, never over the limit', () => {
    const limited = limitWords(
      'One. Then a very long sentence that goes on and on without any end in sight',
      8,
    );
    expect(limited.cut).toBe(true);
    expect(limited.text).toBe('One. Then a very long sentence that goes…');
    expect(countWords(limited.text)).toBeLessThanOrEqual(8);
  });

  it('counts words as runs of non-space characters, across newlines', () => {
    expect(countWords('a  b\nc\t d')).toBe(4);
    expect(countWords('   ')).toBe(0);
  });
});

describe('classification prompts', () => {
  it('list each label with its meaning and give the examples as earlier turns', () => {
    const messages = classifyMessages('Which team?', ['billing', 'bug'], 'It crashes', {
      descriptions: { billing: 'charges and refunds' },
      examples: [{ text: 'Refund please', label: 'billing' }],
    });
    expect(messages).toEqual([
      {
        role: 'system',
        content:
          'Which team? Answer with exactly one of these labels:\n- billing: charges and refunds\n- bug',
      },
      { role: 'user', content: 'Refund please' },
      { role: 'assistant', content: 'billing' },
      { role: 'user', content: 'It crashes' },
    ]);
  });

  it('refuse an example whose label is not among the labels, naming the field', () => {
    const parsed = llmClassify.config.safeParse({
      text: 'x',
      labels: ['a', 'b'],
      examples: [{ text: 'y', label: 'c' }],
    });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('every example must use one of the labels');
    expect(parsed.error?.issues[0]?.path).toEqual(['examples']);
  });
});

describe('extraction prompts and verification', () => {
  const schema = {
    type: 'object',
    properties: {
      supplier: { type: 'string', description: 'Who issued the invoice', examples: ['Acme Ltd'] },
      total: { type: 'number' },
      currency: { enum: ['GBP', 'EUR'] },
      note: { type: 'string' },
    },
    required: ['supplier', 'total', 'currency'],
  };

  it('describe each field: type, allowed values, description, example, optional', () => {
    const prompt = extractionPrompt('Extract the invoice.', schema);
    expect(prompt).toContain('- supplier (text): Who issued the invoice. Example: "Acme Ltd"');
    expect(prompt).toContain('- total (number, digits only)');
    expect(prompt).toContain('- currency (one of "GBP", "EUR")');
    expect(prompt).toContain('- note (text, optional)');
    expect(prompt).not.toContain('"properties"');
  });

  it('give a schema that is not an object as JSON', () => {
    expect(extractionPrompt('Extract.', { type: 'array', items: { type: 'string' } })).toContain(
      '{"type":"array","items":{"type":"string"}}',
    );
  });

  it('find values not in the text, reading numbers in any thousands and decimal convention', () => {
    const text =
      "Lieferant: Bäckerei Sonnenkorn GmbH\nGesamtbetrag 1.256,80 €\nTotal CHF 4'800.00 and $1,780.00";
    const check = (data: Record<string, unknown>) => unverifiedValues(data, schema, text);
    expect(check({ supplier: 'bäckerei  sonnenkorn gmbh', total: 1256.8, currency: 'GBP' })).toEqual([]);
    expect(check({ supplier: 'Sonnenkorn', total: 4800, currency: 'EUR' })).toEqual([]);
    expect(check({ supplier: 'Sonnenkorn', total: 1780 })).toEqual([]);
    expect(check({ supplier: 'Café Morgenrot', total: 256.8, currency: 'EUR' })).toEqual([
      '$.supplier',
      '$.total',
    ]);
  });

  it('narrow required text and number fields to the phrases and numbers of the text', () => {
    const text = `INVOICE
Northwind Plumbing Ltd, 14 Canal Street
Bill to: Harbour View Hotel Group plc
Invoice number: NPS-20931
Total due   £1,552.60
Call +44 20 7946 0321 or mail accounts@northwind.example`;
    const grounded = groundedSchema(schema, text) as { properties: Record<string, Record<string, unknown>> };
    const phrases = grounded.properties.supplier?.enum as string[];
    expect(phrases).toEqual(
      expect.arrayContaining([
        'Northwind Plumbing Ltd',
        'Harbour View Hotel Group plc',
        'NPS-20931',
        '+44 20 7946 0321',
        'accounts@northwind.example',
      ]),
    );
    expect(phrases).not.toContain('Acme Ltd');
    expect(grounded.properties.total?.enum).toEqual(expect.arrayContaining([1552.6, 14, 20931]));
    // An enum already, and an optional field, stay as they were.
    expect(grounded.properties.currency).toEqual(schema.properties.currency);
    expect(grounded.properties.note).toEqual(schema.properties.note);
    expect(groundedSchema({ type: 'array', items: { type: 'string' } }, text)).toEqual({
      type: 'array',
      items: { type: 'string' },
    });
  });

  it('take a retried value only where the retry found one in the text', () => {
    const first = { supplier: 'Invented Ltd', total: 99, currency: 'GBP' };
    const second = { supplier: 'Real Ltd', total: 100, currency: 'EUR' };
    expect(mergeVerified(first, second, ['$.supplier', '$.total'], ['$.total'])).toEqual({
      supplier: 'Real Ltd',
      total: 99,
      currency: 'GBP',
    });
  });
});
