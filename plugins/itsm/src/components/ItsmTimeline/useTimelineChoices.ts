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
  storageApiRef,
  useApi,
  type StorageApi,
} from '@backstage/core-plugin-api';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { TIMELINE_STORAGE_BUCKET } from './timelineModel';

/** A value the storage API can keep (JSON). */
type StorableValue = Parameters<StorageApi['set']>[1];

/**
 * One of the timeline's choices as this browser remembers it, through
 * Backstage's storage API (bucket `itsm.timeline`): the default until the
 * user chooses, then their last choice on every entity. `parse` turns
 * whatever is stored (nothing, an older shape) into a valid value. A value
 * that arrives later (a storage that loads asynchronously, another tab) is
 * taken up.
 */
export function useStoredTimelineChoice<T extends StorableValue>(
  key: string,
  parse: (stored: unknown) => T,
): [T, (value: T) => void] {
  const storageApi = useApi(storageApiRef);
  const bucket = useMemo(
    () => storageApi.forBucket(TIMELINE_STORAGE_BUCKET),
    [storageApi],
  );
  const [value, setValue] = useState(() => parse(bucket.snapshot(key).value));

  useEffect(() => {
    const subscription = bucket.observe$(key).subscribe(snapshot => {
      if (snapshot.presence !== 'unknown') setValue(parse(snapshot.value));
    });
    return () => subscription.unsubscribe();
  }, [bucket, key, parse]);

  const update = useCallback(
    (next: T) => {
      setValue(next);
      bucket.set(key, next).catch(() => {
        // Not remembered (storage full or unavailable): the choice still
        // applies on this page.
      });
    },
    [bucket, key],
  );

  return [value, update];
}
