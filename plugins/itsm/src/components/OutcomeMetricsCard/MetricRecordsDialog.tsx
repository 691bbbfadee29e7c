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

import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { itsmApiRef } from '../../api';
import {
  formatInstant,
  ItsmErrorPanel,
  RedactedText,
  SourceLink,
} from '../common';

/** How many contributing records the dialog loads. */
const SHOWN = 50;

/** The records behind a metric value ("MTTR 4h 12m" → the incidents). */
export function MetricRecordsDialog(props: {
  open: boolean;
  onClose: () => void;
  entityRef: string;
  metricId: string;
  title: string;
  from: string;
  to: string;
}) {
  const api = useApi(itsmApiRef);
  const { value, loading, error } = useAsync(async () => {
    if (!props.open) return undefined;
    const response = await api.getMetrics({
      entityRef: props.entityRef,
      from: props.from,
      to: props.to,
      metrics: [props.metricId],
      explain: props.metricId,
    });
    const ids = response.explain?.recordIds ?? [];
    const records = await Promise.all(
      ids.slice(0, SHOWN).map(id => api.getRecord(id)),
    );
    return {
      total: ids.length,
      hidden: response.explain?.hiddenRecordCount ?? 0,
      truncated: response.explain?.truncated ?? false,
      records,
    };
  }, [api, props.open, props.entityRef, props.metricId, props.from, props.to]);

  let content: JSX.Element;
  if (loading) content = <Progress />;
  else if (error) content = <ItsmErrorPanel error={error} />;
  else if (value && value.total === 0 && value.hidden > 0) {
    content = (
      <Typography data-testid="itsm-hidden-records">
        {hiddenText(value.hidden)} The value counts them; their details are
        visible to the owning team only.
      </Typography>
    );
  } else if (!value || value.total === 0) {
    content = (
      <Typography>
        No record contributes to this value in the window.
      </Typography>
    );
  } else {
    content = (
      <>
        <Typography variant="body2" color="text.secondary">
          {value.total > SHOWN
            ? `The first ${SHOWN} of ${value.total}${
                value.truncated ? '+' : ''
              } records behind this value.`
            : `${value.total} records behind this value.`}
          {value.hidden > 0 ? ` ${hiddenText(value.hidden)}` : ''}
        </Typography>
        <List dense>
          {value.records.map(r => (
            <ListItem key={r.id} disableGutters>
              <ListItemText
                primary={
                  <SourceLink url={r.url}>
                    {r.number ?? r.externalId}: <RedactedText value={r.title} />
                  </SourceLink>
                }
                secondary={`${r.kind}${
                  r.priority ? ` · P${r.priority}` : ''
                } · opened ${formatInstant(r.openedAt)} · ${r.state.replace(
                  '_',
                  ' ',
                )}`}
              />
            </ListItem>
          ))}
        </List>
      </>
    );
  }
  return (
    <Dialog open={props.open} onClose={props.onClose} fullWidth maxWidth="md">
      <DialogTitle>{props.title}: the records behind it</DialogTitle>
      <DialogContent>{content}</DialogContent>
    </Dialog>
  );
}

function hiddenText(count: number): string {
  return `${count} ${
    count === 1 ? 'record is' : 'records are'
  } not listed because you may not read ${count === 1 ? 'it' : 'them'}.`;
}
