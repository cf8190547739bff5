import { setTimeout as sleep } from 'node:timers/promises';
import {
  authenticateWebhook,
  describeSchedule,
  getRun,
  listRuns,
  publishTriggers,
  setSchedulePaused,
} from '@pincer/engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/engine.ts';

let engine: TestEngine;

beforeAll(async () => {
  engine = await startTestEngine();
});

afterAll(async () => {
  await engine?.stop();
});

const withTriggers = (triggers: string) => `
workflow:
  name: nightly
  triggers:
${triggers}
  steps:
    - name: stamp
      type: transform
      value: "{{ 'ran for ' & trigger.team }}"
`;

describe('schedules', () => {
  it('become Temporal Schedules that start runs, with a preview, pause and resume', async () => {
    await engine.save(
      withTriggers(
        '    - { type: schedule, cron: "0 3 * * *", timezone: Europe/Berlin, input: { team: ops } }',
      ),
    );
    const published = await publishTriggers(engine.db, engine.client, 'nightly', 'test');
    expect(published.schedules).toHaveLength(1);
    const scheduleId = published.schedules[0]?.id ?? '';

    const described = await describeSchedule(engine.db, engine.client, scheduleId);
    expect(described).toMatchObject({
      workflow: 'nightly',
      cron: '0 3 * * *',
      timezone: 'Europe/Berlin',
      paused: false,
    });
    expect(described.nextRuns).toHaveLength(5);
    const first = described.nextRuns[0];
    expect(first?.toLocaleTimeString('en-GB', { timeZone: 'Europe/Berlin', hour12: false })).toBe('03:00:00');

    // Fire it now instead of waiting for 3 am: Temporal starts the interpreter itself.
    const row = await engine.db.schedule.findUniqueOrThrow({ where: { id: scheduleId } });
    await engine.client.schedule.getHandle(row.temporalScheduleId).trigger();
    let runs = await listRuns(engine.db, { workflow: 'nightly' });
    for (let attempt = 0; runs.length === 0 || runs[0]?.status !== 'succeeded'; attempt++) {
      if (attempt > 200)
        throw new Error(`the schedule did not produce a finished run: ${JSON.stringify(runs)}`);
      await sleep(100);
      runs = await listRuns(engine.db, { workflow: 'nightly' });
    }
    const run = await getRun(engine.db, runs[0]?.id ?? '');
    expect(run).toMatchObject({ trigger: 'schedule', status: 'succeeded', output: 'ran for ops' });

    await setSchedulePaused(engine.db, engine.client, scheduleId, true, 'test');
    expect((await describeSchedule(engine.db, engine.client, scheduleId)).paused).toBe(true);
    await setSchedulePaused(engine.db, engine.client, scheduleId, false, 'test');
    expect((await describeSchedule(engine.db, engine.client, scheduleId)).paused).toBe(false);
  });

  it('are removed from Temporal when the definition drops them', async () => {
    await engine.save(withTriggers('    - { type: manual }'));
    const published = await publishTriggers(engine.db, engine.client, 'nightly', 'test');
    expect(published.schedules).toEqual([]);
    expect(await engine.db.schedule.count()).toBe(0);
  });
});

describe('webhooks', () => {
  it('get an id and a secret once, keep them across versions, and are disabled when removed', async () => {
    await engine.save(
      withTriggers('    - { type: webhook, name: intake, respond: when_done, timeout: 10s }'),
    );
    const first = await publishTriggers(engine.db, engine.client, 'nightly', 'test');
    const hook = first.webhooks[0];
    expect(hook).toMatchObject({ key: 'intake', respond: 'when_done', method: 'POST' });
    expect(hook?.secret).toMatch(/^[\w-]{20,}$/);

    expect(await authenticateWebhook(engine.db, hook?.id ?? '', hook?.secret ?? '')).toMatchObject({
      workflow: 'nightly',
      config: { respond: 'when_done', timeout: 10_000 },
    });
    expect(await authenticateWebhook(engine.db, hook?.id ?? '', 'wrong')).toBeNull();
    expect(await authenticateWebhook(engine.db, hook?.id ?? '', null)).toBeNull();

    await engine.save(withTriggers('    - { type: webhook, name: intake, respond: immediately }'));
    const second = await publishTriggers(engine.db, engine.client, 'nightly', 'test');
    expect(second.webhooks[0]?.id).toBe(hook?.id);
    expect(second.webhooks[0]?.secret).toBeUndefined();

    await engine.save(withTriggers('    - { type: manual }'));
    await publishTriggers(engine.db, engine.client, 'nightly', 'test');
    expect(await authenticateWebhook(engine.db, hook?.id ?? '', hook?.secret ?? '')).toBeNull();
  });
});
