/*
 * Copyright 2026 The Backstage ITSM Authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

import type { PagerDutyPage } from '../client';
import {
  toPagerDutyTime,
  walkTimeWindows,
  WalkTimeWindowsOptions,
  WindowStep,
} from './timeWindows';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-01-01T00:00:00Z');

/** A source of items at the given instants, served like PagerDuty. */
function source(instants: number[], options: { withTotals?: boolean } = {}) {
  const requests: Array<{
    since: string;
    until: string;
    offset: number;
    limit: number;
    withTotal: boolean;
  }> = [];
  const fetchPage: WalkTimeWindowsOptions<number>['fetchPage'] =
    async request => {
      requests.push(request);
      const items = instants.filter(
        t => t >= Date.parse(request.since) && t < Date.parse(request.until),
      );
      if (request.offset + request.limit > 10) {
        throw new Error(`offset cap: ${request.offset}+${request.limit}`);
      }
      const page: PagerDutyPage<number> = {
        items: items.slice(request.offset, request.offset + request.limit),
        more: request.offset + request.limit < items.length,
        total:
          request.withTotal && options.withTotals !== false
            ? items.length
            : null,
      };
      return page;
    };
  return { requests, fetchPage };
}

async function walk(
  options: Partial<WalkTimeWindowsOptions<number>> &
    Pick<WalkTimeWindowsOptions<number>, 'fetchPage'>,
) {
  const steps: WindowStep<number>[] = [];
  for await (const step of walkTimeWindows<number>({
    position: { from: toPagerDutyTime(START) },
    end: START + 30 * DAY,
    pageSize: 4,
    initialWindowMs: DAY,
    maxWindowMs: 8 * DAY,
    maxOffset: 10,
    ...options,
  })) {
    steps.push(step);
  }
  return steps;
}

describe('walkTimeWindows', () => {
  it('formats instants the way every PagerDuty list accepts', () => {
    expect(toPagerDutyTime(Date.parse('2026-01-02T03:04:05.678Z'))).toBe(
      '2026-01-02T03:04:05Z',
    );
  });

  it('tiles the range with growing windows and ends at the end', async () => {
    const { requests, fetchPage } = source([]);
    const steps = await walk({ fetchPage });
    expect(requests.map(r => [r.since, r.until])).toEqual([
      ['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z'],
      ['2026-01-02T00:00:00Z', '2026-01-04T00:00:00Z'],
      ['2026-01-04T00:00:00Z', '2026-01-08T00:00:00Z'],
      ['2026-01-08T00:00:00Z', '2026-01-16T00:00:00Z'],
      ['2026-01-16T00:00:00Z', '2026-01-24T00:00:00Z'],
      ['2026-01-24T00:00:00Z', '2026-01-31T00:00:00Z'],
    ]);
    expect(steps[steps.length - 1].position).toEqual({
      from: '2026-01-31T00:00:00Z',
    });
  });

  it('shrinks a window whose total passes the cap, and reads everything once', async () => {
    const instants = Array.from(
      { length: 37 },
      (_, i) => START + 2 * DAY + i * HOUR,
    );
    const { requests, fetchPage } = source(instants);
    const steps = await walk({ fetchPage });
    const items = steps.flatMap(s => s.items);
    expect(items).toEqual(instants);
    expect(requests.every(r => r.offset + r.limit <= 10)).toBe(true);
  });

  it('shrinks and re-reads a window that fills up without a total', async () => {
    const instants = Array.from(
      { length: 23 },
      (_, i) => START + 3 * DAY + i * HOUR,
    );
    const { fetchPage } = source(instants, { withTotals: false });
    const steps = await walk({ fetchPage });
    const items = steps.flatMap(s => s.items);
    // Every item arrives; some twice (the engine's upsert makes that harmless).
    expect(new Set(items)).toEqual(new Set(instants));
  });

  it('reports, and moves past, a second holding more than the cap', async () => {
    const instants = Array.from({ length: 14 }, () => START + DAY);
    const { fetchPage } = source(instants);
    const onCapExceeded = jest.fn();
    const steps = await walk({ fetchPage, onCapExceeded });
    expect(onCapExceeded).toHaveBeenCalledWith(
      { since: '2026-01-02T00:00:00Z', until: '2026-01-02T00:00:01Z' },
      14,
    );
    expect(steps.flatMap(s => s.items)).toHaveLength(10);
    expect(steps[steps.length - 1].position).toEqual({
      from: '2026-01-31T00:00:00Z',
    });
  });

  it('gives the position inside a window after each page, and resumes there', async () => {
    const instants = Array.from({ length: 6 }, (_, i) => START + i * HOUR);
    const { requests, fetchPage } = source(instants);
    const steps = await walk({ fetchPage, end: START + DAY });
    expect(steps.map(s => s.position)).toEqual([
      {
        from: '2026-01-01T00:00:00Z',
        window: { until: '2026-01-02T00:00:00Z', offset: 4 },
      },
      { from: '2026-01-02T00:00:00Z' },
    ]);

    requests.length = 0;
    const resumed = await walk({
      fetchPage,
      end: START + DAY,
      position: steps[0].position,
    });
    expect(resumed.flatMap(s => s.items)).toEqual(instants.slice(4));
    expect(requests).toEqual([
      {
        since: '2026-01-01T00:00:00Z',
        until: '2026-01-02T00:00:00Z',
        offset: 4,
        limit: 4,
        withTotal: false,
      },
    ]);
  });

  it('reads nothing when the position is at the end', async () => {
    const { requests, fetchPage } = source([]);
    expect(
      await walk({
        fetchPage,
        position: { from: toPagerDutyTime(START + 30 * DAY) },
      }),
    ).toEqual([]);
    expect(requests).toEqual([]);
  });
});
