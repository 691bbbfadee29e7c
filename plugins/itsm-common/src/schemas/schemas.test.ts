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

import { describeValidationError } from '../records';
import {
  itsmImprovementCreateSchema,
  itsmImprovementUpdateSchema,
} from './improvements';
import { itsmCalendarDateSchema, itsmListParamSchema } from './params';
import { itsmReviewHoldSchema } from './reviews';

function messageOf(result: { success: boolean; error?: any }): string {
  return result.success ? '' : describeValidationError(result.error);
}

describe('the shared input schemas', () => {
  it('reads a calendar date and refuses one that does not exist', () => {
    expect(itsmCalendarDateSchema.safeParse('2024-02-29').success).toBe(true);
    expect(messageOf(itsmCalendarDateSchema.safeParse('2025-02-29'))).toBe(
      '(root): is not a calendar date',
    );
    expect(messageOf(itsmCalendarDateSchema.safeParse('2025-2-1'))).toMatch(
      /^\(root\): must be a date YYYY-MM-DD/,
    );
  });

  it('splits list parameters on commas and repeats', () => {
    expect(itsmListParamSchema.parse(['a,b', ' c ', ''])).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('fills the defaults of a new improvement and normalises its refs', () => {
    expect(
      itsmImprovementCreateSchema.parse({
        title: ' Fewer pages ',
        entityRefs: ['payments-api'],
        ownerRef: 'sre',
      }),
    ).toEqual({
      title: 'Fewer pages',
      description: '',
      entityRefs: ['component:default/payments-api'],
      ownerRef: 'group:default/sre',
      priority: 'medium',
      dueDate: null,
      recordIds: [],
      metric: null,
    });
  });

  it('names the field it refuses', () => {
    expect(
      messageOf(
        itsmImprovementCreateSchema.safeParse({
          title: 'x',
          entityRefs: ['payments-api'],
          ownerRef: 'sre',
          metric: { metricId: '', target: 4 },
        }),
      ),
    ).toBe('metric.metricId: name a metric');
    expect(messageOf(itsmImprovementUpdateSchema.safeParse({}))).toBe(
      '(root): change at least one field or add a comment',
    );
    expect(
      messageOf(
        itsmReviewHoldSchema.safeParse({
          entityRef: 'payments-api',
          decisions: 'x'.repeat(50_001),
        }),
      ),
    ).toMatch(/^decisions: /);
  });
});
