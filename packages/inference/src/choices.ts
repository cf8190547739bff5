import type { ChatHistoryItem, LlamaChat, LlamaContextSequence, Token } from 'node-llama-cpp';

/**
 * Classification by likelihood: instead of letting the model generate a label (where a small
 * model's first token decides, often for the label it saw first or last), every allowed answer is
 * read after the prompt and scored by the log-probability the model gives its tokens, up to the
 * end of the turn. The answer is the likeliest choice. Nothing is sampled, so the result does not
 * depend on a seed.
 *
 * The prompt is evaluated once; each choice's own tokens are evaluated after it and erased again,
 * so scoring N choices costs the prompt plus the choices' tokens, not N prompts.
 */
export interface ChoiceScores {
  /** The likeliest choice. */
  best: string;
  /** Each choice's total log-probability (natural log; 0 is certain). */
  scores: Record<string, number>;
  /** Tokens of the prompt the sequence holds, and of all choices read after it. */
  promptTokens: number;
  choiceTokens: number;
}

export async function scoreChoices(
  chat: LlamaChat,
  sequence: LlamaContextSequence,
  history: ChatHistoryItem[],
  choices: readonly string[],
  /** `end`: a choice is the whole answer, so the end of the turn is scored after it (default). */
  { end: scoreEnd = true }: { end?: boolean } = {},
): Promise<ChoiceScores> {
  const { tokenizer, tokens: special } = sequence.model;
  const { contextText } = chat.chatWrapper.generateContextState({ chatHistory: history });
  const prompt = contextText.tokenize(tokenizer);
  const end = scoreEnd ? (special.eot ?? special.eos) : null;
  // Each choice is tokenized together with the prompt, as the model would have written it there;
  // a choice whose first characters merge with the prompt's last token shares a shorter prefix.
  const full = choices.map((choice) => {
    const tokens = contextText.concat(choice).tokenize(tokenizer);
    if (end !== null) tokens.push(end);
    return tokens;
  });
  let shared = prompt.length;
  for (const tokens of full) shared = Math.min(shared, commonPrefix(prompt, tokens));
  if (shared === 0) throw new Error('the prompt is empty');

  // Keep what the sequence already holds of the shared prefix (an earlier request's prompt).
  const keep = Math.min(
    sequence.compareContextTokens(prompt.slice(0, shared)).firstDifferentIndex,
    shared - 1,
  );
  if (keep < sequence.nextTokenIndex) {
    await sequence.eraseContextTokenRanges([{ start: keep, end: sequence.nextTokenIndex }]);
  }
  const wanted = [...new Set(full.map((tokens) => tokens[shared]).filter((token) => token !== undefined))];
  const prefix = prompt.slice(keep, shared);
  const evaluated = await sequence.controlledEvaluate(
    prefix.map((token, index) =>
      index === prefix.length - 1 ? [token, { generateNext: nextOptions(wanted) }] : token,
    ),
  );
  const first = logProbabilities(evaluated.at(-1));

  const scores: Record<string, number> = {};
  let choiceTokens = 0;
  for (const [index, choice] of choices.entries()) {
    const tokens = full[index] ?? [];
    const own = tokens.slice(shared);
    choiceTokens += own.length;
    let score = first(own[0]);
    if (own.length > 1) {
      // Read the choice token by token; after each, the probability of the next one.
      const steps = await sequence.controlledEvaluate(
        own
          .slice(0, -1)
          .map((token, step) => [token, { generateNext: nextOptions([own[step + 1] as Token]) }]),
      );
      for (let step = 1; step < own.length; step++) score += logProbabilities(steps[step - 1])(own[step]);
      await sequence.eraseContextTokenRanges([{ start: shared, end: sequence.nextTokenIndex }]);
    }
    scores[choice] = score;
  }
  const best = choices.reduce((top, choice) =>
    (scores[choice] ?? -Infinity) > (scores[top] ?? -Infinity) ? choice : top,
  );
  return { best, scores, promptTokens: shared, choiceTokens };
}

function commonPrefix(a: readonly Token[], b: readonly Token[]): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  return index;
}

function nextOptions(tokens: Token[]) {
  return { logits: { filter: { tokens, includeMax: true } }, totalLogitWeight: true } as const;
}

/** log p(token) from an evaluation's logits: logit − max logit − log Σ exp(logit − max logit). */
function logProbabilities(
  output: Awaited<ReturnType<LlamaContextSequence['controlledEvaluate']>>[number],
): (token: Token | undefined) => number {
  const logits = output?.next.logits;
  const total = output?.next.totalLogitWeight;
  const max = logits ? Math.max(...logits.values()) : undefined;
  return (token) => {
    const logit = token === undefined ? undefined : logits?.get(token);
    if (logit === undefined || max === undefined || !total) return -Infinity;
    return logit - max - Math.log(total);
  };
}
