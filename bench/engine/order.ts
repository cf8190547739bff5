/**
 * The webhook benchmark's work, shared by its baselines: an order comes in, its total is worked out
 * (transform), checked against a limit (condition), and answered (respond). Pincer does the same
 * in the workflow of definitions.ts.
 */

export interface Order {
  customer: string;
  price: number;
  quantity: number;
}

export interface Priced {
  customer: string;
  total: number;
}

export interface Reply {
  customer: string;
  total: number;
  approved: boolean;
}

/** Orders above this total are approved. */
export const APPROVAL_LIMIT = 100;

/** What every request posts, and what every implementation must answer to it. */
export const ORDER: Order = { customer: 'acme', price: 25, quantity: 6 };
export const EXPECTED_REPLY: Reply = { customer: 'acme', total: 150, approved: true };

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The request body, checked once at the edge. */
export function parseOrder(value: unknown): Order {
  if (
    isRecord(value) &&
    typeof value.customer === 'string' &&
    typeof value.price === 'number' &&
    typeof value.quantity === 'number'
  ) {
    return { customer: value.customer, price: value.price, quantity: value.quantity };
  }
  throw new Error('expected an order: { customer: string, price: number, quantity: number }');
}

export function price(order: Order): Priced {
  return { customer: order.customer, total: order.price * order.quantity };
}

export function approve(priced: Priced): boolean {
  return priced.total > APPROVAL_LIMIT;
}

export function reply(priced: Priced, approved: boolean): Reply {
  return { customer: priced.customer, total: priced.total, approved };
}
