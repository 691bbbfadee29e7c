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
  describeItsmDataSources,
  itsmDataSourceName,
  ItsmDataSource,
} from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';

/**
 * An instant in the viewer's zone: the time alone when it is today
 * (`09:12`), with the date otherwise (`Nov 22, 2026, 9:12 AM`).
 */
export function formatAsOf(iso: string, now: DateTime = DateTime.now()) {
  const at = DateTime.fromISO(iso).setZone(now.zone);
  return at.hasSame(now, 'day')
    ? at.toLocaleString(DateTime.TIME_SIMPLE)
    : at.toLocaleString(DateTime.DATETIME_MED);
}

function sourceDetail(source: ItsmDataSource): string {
  const name = itsmDataSourceName(source.providerId);
  if (!source.lastSucceededAt) {
    return `${name}: no successful sync yet`;
  }
  return `${name}: last successful sync ${formatAsOf(source.lastSucceededAt)}`;
}

/**
 * A line under the numbers saying how current they are and from which
 * sources, and a warning when a source's last sync failed, could not read
 * part of the source, or has not finished its first run: the figures may
 * then be incomplete. Renders nothing when the answer has no `sources`
 * at all (a review held before they were recorded).
 */
export function DataFreshness(props: { sources?: ItsmDataSource[] }) {
  const { sources } = props;
  if (!sources) {
    return null;
  }
  const { summary, warnings } = describeItsmDataSources(sources, iso =>
    formatAsOf(iso),
  );
  return (
    <Box data-testid="itsm-data-freshness" sx={{ mt: 1 }}>
      <Tooltip
        title={
          sources.length > 0 ? (
            <Box component="span" sx={{ whiteSpace: 'pre-line' }}>
              {sources.map(sourceDetail).join('\n')}
            </Box>
          ) : (
            ''
          )
        }
        placement="bottom-start"
      >
        <Typography variant="caption" color="text.secondary" component="div">
          {summary}
        </Typography>
      </Tooltip>
      {warnings.length > 0 && (
        <Alert
          severity="warning"
          sx={{ mt: 1 }}
          data-testid="itsm-data-freshness-warning"
        >
          {warnings.length === 1 ? (
            warnings[0]
          ) : (
            <Box component="ul" sx={{ m: 0, pl: 2 }}>
              {warnings.map(warning => (
                <li key={warning}>{warning}</li>
              ))}
            </Box>
          )}
        </Alert>
      )}
    </Box>
  );
}
