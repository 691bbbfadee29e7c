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

import type { ItsmApi } from '../api';

/**
 * An ItsmApi whose every method is a jest mock that fails unless the test
 * gives it behaviour, so a component calling an endpoint the test did not
 * expect fails loudly.
 */
export function mockItsmApi(overrides: Partial<ItsmApi> = {}): ItsmApi {
  const unexpected = (name: string) =>
    jest
      .fn()
      .mockRejectedValue(new Error(`unexpected call to ItsmApi.${name}`));
  return {
    getRecords: unexpected('getRecords'),
    getRecord: unexpected('getRecord'),
    getMetrics: unexpected('getMetrics'),
    getOwnership: unexpected('getOwnership'),
    getSyncStatus: unexpected('getSyncStatus'),
    getImprovements: unexpected('getImprovements'),
    getImprovement: unexpected('getImprovement'),
    createImprovement: unexpected('createImprovement'),
    updateImprovement: unexpected('updateImprovement'),
    deleteImprovement: unexpected('deleteImprovement'),
    getReview: unexpected('getReview'),
    getReviewMarkdown: unexpected('getReviewMarkdown'),
    holdReview: unexpected('holdReview'),
    amendReview: unexpected('amendReview'),
    releaseReview: unexpected('releaseReview'),
    ...overrides,
  };
}
