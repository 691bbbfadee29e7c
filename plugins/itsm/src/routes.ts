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

import { createRouteRef } from '@backstage/core-plugin-api';

/** Where the entity's ITSM timeline tab is mounted (legacy frontend system). @public */
export const timelineRouteRef = createRouteRef({ id: 'itsm:timeline' });

/** The continual-improvement tracker page. @public */
export const improvementsRouteRef = createRouteRef({
  id: 'itsm:improvements',
});

/** The standalone service review page (`?entityRef=&period=`). @public */
export const reviewRouteRef = createRouteRef({ id: 'itsm:review' });

/** Where the pages are mounted by default; the entity card links here. */
export const DEFAULT_IMPROVEMENTS_PATH = '/itsm/improvements';
export const DEFAULT_REVIEW_PATH = '/itsm/reviews';
