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

import {
  formatItsmReviewPeriod,
  itsmReviewPeriodRange,
  parseItsmReviewPeriod,
} from '@backstage-itsm/plugin-itsm-common';
import { invalidField } from '../improvements/validation';

export interface ReviewPeriod {
  /** `2026-Q3`, `2026-10`, or `<from>..<to>` for an explicit window. */
  label: string;
  from: number;
  to: number;
}

/**
 * A review period from `period` (`2026-Q3`, `2026-10`, UTC calendar) or from
 * an explicit `from`/`to` (epoch ms). Throws a 400 naming the field.
 */
export function parseReviewPeriod(input: {
  period?: string;
  from?: number;
  to?: number;
}): ReviewPeriod {
  if (input.period !== undefined) {
    if (input.from !== undefined || input.to !== undefined) {
      throw invalidField('period', 'give either period or from and to');
    }
    const calendar = parseItsmReviewPeriod(input.period);
    if (calendar) {
      return {
        label: formatItsmReviewPeriod(calendar),
        ...itsmReviewPeriodRange(calendar),
      };
    }
    throw invalidField(
      'period',
      `'${input.period}' is neither a quarter (2026-Q3) nor a month (2026-10)`,
    );
  }
  if (input.from === undefined || input.to === undefined) {
    throw invalidField(
      'period',
      'give a period (2026-Q3, 2026-10) or from and to',
    );
  }
  if (input.from >= input.to) {
    throw invalidField('from', 'from must be before to');
  }
  return {
    label: `${iso(input.from)}..${iso(input.to)}`,
    from: input.from,
    to: input.to,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
