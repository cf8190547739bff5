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
  const scored = await scoreContinuations(sequence, prompt, full);
  const scores = Object.fromEntries(
    choices.map((choice, index) => [choice, scored.scores[index] ?? -Infinity]),
  );
  const best = choices.reduce((top, choice) =>
    (scores[choice] ?? -Infinity) > (scores[top] ?? -Infinity) ? choice : top,
  );
  return { best, scores, promptTokens: scored.shared, choiceTokens: scored.continuationTokens };
}

/**
 * The log-probability of the text of the conversation's last message, given the messages before
 * it and the chat template's tokens that open it (for classification the other way round: how
 * likely the text is under a prompt that describes a label).
 */
export async function scoreLastMessage(
  chat: LlamaChat,
  sequence: LlamaContextSequence,
  history: ChatHistoryItem[],
): Promise<{ score: number; promptTokens: number; textTokens: number }> {
  const { tokenizer } = sequence.model;
  const last = history.findLastIndex((item) => item.type === 'user');
  const item = history[last];
  if (item?.type !== 'user' || item.text === '') throw new Error('there is no user message to score');
  const blank = history.map((entry, index) => (index === last ? { ...entry, text: '' } : entry));
  const context = (items: ChatHistoryItem[]) =>
    chat.chatWrapper.generateContextState({ chatHistory: items }).contextText.tokenize(tokenizer);
  const withText = context(history);
  const without = context(blank);
  // The message's own tokens: after what both share in front, before what both share behind.
  const front = commonPrefix(withText, without);
  let back = 0;
  while (
    back < without.length - front &&
    withText[withText.length - 1 - back] === without[without.length - 1 - back]
  ) {
    back++;
  }
  const scored = await scoreContinuations(sequence, withText.slice(0, front), [
    withText.slice(0, withText.length - back),
  ]);
  return {
    score: scored.scores[0] ?? -Infinity,
    promptTokens: scored.shared,
    textTokens: scored.continuationTokens,
  };
}

/**
 * The total log-probability of each continuation's tokens after the prefix it shares with the
 * prompt. The shared prefix is evaluated once (what the sequence already holds of it is kept);
 * each continuation is evaluated after it and erased again.
 */
async function scoreContinuations(
  sequence: LlamaContextSequence,
  prompt: Token[],
  full: Token[][],
): Promise<{ scores: number[]; shared: number; continuationTokens: number }> {
  let shared = prompt.length;
  for (const tokens of full) shared = Math.min(shared, commonPrefix(prompt, tokens));
  if (shared === 0) throw new Error('the prompt is empty');

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

  const scores: number[] = [];
  let continuationTokens = 0;
  for (const tokens of full) {
    const own = tokens.slice(shared);
    continuationTokens += own.length;
    let score = first(own[0]);
    if (own.length > 1) {
      // Read the continuation token by token; after each, the probability of the next one.
      const steps = await sequence.controlledEvaluate(
        own
          .slice(0, -1)
          .map((token, step) => [token, { generateNext: nextOptions([own[step + 1] as Token]) }]),
      );
      for (let step = 1; step < own.length; step++) score += logProbabilities(steps[step - 1])(own[step]);
      await sequence.eraseContextTokenRanges([{ start: shared, end: sequence.nextTokenIndex }]);
    }
    scores.push(score);
  }
  return { scores, shared, continuationTokens };
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
