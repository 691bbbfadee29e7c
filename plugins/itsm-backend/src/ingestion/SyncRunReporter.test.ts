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
  MAX_FAILED_PARTS,
  MAX_OBSERVATION_MESSAGE,
  SyncRunReporter,
} from './SyncRunReporter';

describe('SyncRunReporter', () => {
  it('counts requests, retries and waits, and keeps the last retry message', () => {
    const reporter = new SyncRunReporter();
    expect(reporter.observations()).toEqual({
      requests: 0,
      retries: 0,
      waitMs: 0,
      lastRetryMessage: null,
      failedParts: [],
    });
    for (let i = 0; i < 10; i++) reporter.request();
    reporter.retry({ status: 429, waitMs: 1000, message: 'Too Many Requests' });
    reporter.retry({
      status: 500,
      waitMs: 250.4,
      message: 'GET /api/now/table/incident answered 500',
    });
    reporter.retry({ waitMs: Number.NaN, message: 'socket hang up' });
    expect(reporter.observations()).toEqual({
      requests: 10,
      retries: 3,
      waitMs: 1250,
      lastRetryMessage: 'socket hang up',
      failedParts: [],
    });
    reporter.retry({ status: 503, waitMs: 0, message: 'unavailable' });
    expect(reporter.observations().lastRetryMessage).toBe('503: unavailable');
  });

  it('keeps each failed part once, with its last error, bounded', () => {
    const reporter = new SyncRunReporter();
    reporter.partFailed('problem', new Error('403 Forbidden'));
    reporter.partFailed('task_sla', 'Invalid table');
    reporter.partFailed('problem', new Error('403 still'));
    expect(reporter.observations().failedParts).toEqual([
      { part: 'problem', error: 'Error: 403 still' },
      { part: 'task_sla', error: 'Invalid table' },
    ]);
    for (let i = 0; i < 2 * MAX_FAILED_PARTS; i++) {
      reporter.partFailed(`t${i}`, 'x'.repeat(5 * MAX_OBSERVATION_MESSAGE));
    }
    const { failedParts } = reporter.observations();
    expect(failedParts).toHaveLength(MAX_FAILED_PARTS);
    expect(failedParts[2].error).toHaveLength(MAX_OBSERVATION_MESSAGE);
    expect(reporter.failedPartCount).toBe(MAX_FAILED_PARTS);
  });
});
