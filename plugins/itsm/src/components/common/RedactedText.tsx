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

import { ITSM_REDACTED } from '@backstage-itsm/plugin-itsm-common';
import Chip from '@mui/material/Chip';
import Tooltip from '@mui/material/Tooltip';
import { Fragment } from 'react';

/** The hover text of a withheld value. */
export const REDACTED_EXPLANATION = 'Personal data, withheld by the HR module';

/** The marker, shown as a small "redacted" chip that explains itself on hover. */
export function RedactedChip() {
  return (
    <Tooltip title={REDACTED_EXPLANATION}>
      <Chip
        component="span"
        size="small"
        variant="outlined"
        label="redacted"
        aria-label={`redacted: ${REDACTED_EXPLANATION}`}
        data-testid="itsm-redacted"
        sx={{ height: 18, fontSize: '0.7rem', verticalAlign: 'baseline' }}
      />
    </Tooltip>
  );
}

/**
 * A record field that a module may have redacted (a title, an assignee): the
 * text as it is, with each redaction marker shown as a subtle "redacted" chip
 * instead of the raw `[redacted]`.
 */
export function RedactedText(props: {
  value: string | null | undefined;
  /** Shown when the value is null, undefined or empty. */
  fallback?: string;
}) {
  const { value } = props;
  if (!value) return <>{props.fallback ?? ''}</>;
  if (!value.includes(ITSM_REDACTED)) return <>{value}</>;
  const parts = value.split(ITSM_REDACTED);
  return (
    <>
      {parts.map((part, i) => (
        // The parts of one string never reorder: the index is a stable key.
        // eslint-disable-next-line react/no-array-index-key
        <Fragment key={i}>
          {part}
          {i < parts.length - 1 && <RedactedChip />}
        </Fragment>
      ))}
    </>
  );
}
