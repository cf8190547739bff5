/** The one workload both products serve: POST {"n":60} → doubled = n×2 → IF doubled > 100 → respond. */

/** The webhook path n8n serves (Pincer's is the id it gives the webhook). */
export const PATH_NAME = 'pincer-peers-double';

export const REQUEST = { n: 60 };

/** What both must answer to REQUEST, as JSON. */
export const EXPECTED = { doubled: 120, branch: 'true' };

/** Whether an answer body is EXPECTED (key order aside). */
export function isExpected(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return (
      parsed !== null &&
      typeof parsed === 'object' &&
      Object.keys(parsed).length === 2 &&
      Reflect.get(parsed, 'doubled') === EXPECTED.doubled &&
      Reflect.get(parsed, 'branch') === EXPECTED.branch
    );
  } catch {
    return false;
  }
}

/** The same workflow in Pincer, as a user writes it. */
export const PINCER_WORKFLOW = `workflow:
  name: peers_double
  triggers:
    - { type: webhook, name: double, method: POST, respond: when_done, timeout: 30s }
  steps:
    - name: double
      type: transform
      value:
        doubled: "{{ trigger.body.n * 2 }}"
    - name: check
      type: condition
      condition: "{{ steps.double.output.doubled > 100 }}"
    - name: reply
      type: respond
      body:
        doubled: "{{ steps.double.output.doubled }}"
        branch: "{{ steps.check.output.branch }}"
`;
