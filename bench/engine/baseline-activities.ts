/**
 * The activities of the hand-written Temporal baselines: no-ops for the 10-step workflow, and the
 * order's three steps for the webhook path. No database, no recording: that is the point.
 */
import { approve, type Priced, parseOrder, price, type Reply, reply } from './order.ts';

export async function noop(): Promise<void> {}

export async function priceOrder(body: unknown): Promise<Priced> {
  return price(parseOrder(body));
}

export async function approveOrder(priced: Priced): Promise<boolean> {
  return approve(priced);
}

export async function replyToOrder(input: { priced: Priced; approved: boolean }): Promise<Reply> {
  return reply(input.priced, input.approved);
}
