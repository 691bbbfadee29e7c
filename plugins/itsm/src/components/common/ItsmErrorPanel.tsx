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

import { EmptyState, ResponseErrorPanel } from '@backstage/core-components';

/** Error state of every ITSM view: 403 is "no permission", not a failure. */
export function ItsmErrorPanel(props: { error: Error; title?: string }) {
  const status =
    (props.error as { statusCode?: number; response?: { status?: number } })
      .statusCode ??
    (props.error as { response?: { status?: number } }).response?.status;
  if (status === 403) {
    return (
      <EmptyState
        missing="info"
        title="You do not have permission to see this"
        description="Your Backstage permissions do not allow reading these ITSM records. Ask the owning team or a Backstage admin if you need access."
      />
    );
  }
  return <ResponseErrorPanel error={props.error} title={props.title} />;
}
