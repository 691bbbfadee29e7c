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

import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { useApi } from '@backstage/core-plugin-api';
import {
  formatItsmMetricValue,
  type ItsmImprovement,
  type ItsmImprovementDetails,
  type ItsmImprovementEvent,
  type ItsmImprovementStatus,
} from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { itsmApiRef } from '../../api';
import { formatInstant, formatRelative } from '../common';
import {
  errorStatus,
  metricDefinition,
  PRIORITY_LABEL,
  STATUS_LABEL,
} from './improvementModel';

const EVENT_LABEL: Record<ItsmImprovementEvent['type'], string> = {
  created: 'created the improvement',
  updated: 'changed',
  status_changed: 'changed the status',
  baseline_captured: 'captured the baseline',
  commented: 'commented',
};

const FIELD_LABEL: Record<string, string> = {
  title: 'title',
  description: 'description',
  entityRefs: 'entities',
  ownerRef: 'owner',
  priority: 'priority',
  dueDate: 'due date',
  recordIds: 'records',
  status: 'status',
  metric: 'metric',
  baseline: 'baseline',
  department: 'department',
};

/** A history value as text: statuses in words, lists joined, metrics short. */
function changeValue(
  field: string,
  value: unknown,
  improvement: ItsmImprovement,
): string {
  if (value === null || value === undefined || value === '') return '–';
  if (field === 'status' && typeof value === 'string') {
    return STATUS_LABEL[value as ItsmImprovementStatus] ?? value;
  }
  if (field === 'priority' && typeof value === 'string') {
    return PRIORITY_LABEL[value as keyof typeof PRIORITY_LABEL] ?? value;
  }
  if (Array.isArray(value)) return value.join(', ') || '–';
  if (field === 'baseline' && typeof value === 'number' && improvement.metric) {
    return formatItsmMetricValue(
      value,
      metricDefinition(improvement.metric.metricId).unit,
    );
  }
  if (typeof value === 'object') {
    const metric = value as { metricId?: string; target?: number };
    if (metric.metricId && typeof metric.target === 'number') {
      const definition = metricDefinition(metric.metricId);
      return `${definition.title} to ${formatItsmMetricValue(
        metric.target,
        definition.unit,
      )}`;
    }
    return JSON.stringify(value);
  }
  return String(value);
}

/** The events of an improvement, newest first. */
export function History(props: { improvement: ItsmImprovementDetails }) {
  const events = [...props.improvement.events].sort((a, b) =>
    b.at.localeCompare(a.at),
  );
  if (events.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No history yet.
      </Typography>
    );
  }
  return (
    <Box component="ol" sx={{ m: 0, p: 0, listStyle: 'none' }}>
      {events.map(event => (
        <Box
          component="li"
          key={event.id}
          sx={{ py: 1, borderBottom: 1, borderColor: 'divider' }}
          data-testid="itsm-improvement-event"
        >
          <Typography variant="body2">
            <EntityRefLink entityRef={event.actor} hideIcon />{' '}
            {EVENT_LABEL[event.type] ?? event.type}
            <Typography
              component="span"
              variant="caption"
              color="text.secondary"
              title={formatInstant(event.at)}
            >
              {' '}
              · {formatRelative(event.at)}
            </Typography>
          </Typography>
          {Object.entries(event.changes).map(([field, change]) => (
            <Typography key={field} variant="body2" color="text.secondary">
              {FIELD_LABEL[field] ?? field}:{' '}
              {changeValue(field, change.from, props.improvement)} →{' '}
              {changeValue(field, change.to, props.improvement)}
            </Typography>
          ))}
          {event.comment && (
            <Typography
              variant="body2"
              sx={{ mt: 0.5, pl: 1, borderLeft: 2, borderColor: 'divider' }}
            >
              {event.comment}
            </Typography>
          )}
        </Box>
      ))}
    </Box>
  );
}

/** Adds a comment to the history of an improvement. */
export function CommentBox(props: {
  improvementId: string;
  onAdded: () => void;
}) {
  const api = useApi(itsmApiRef);
  const [comment, setComment] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  async function add() {
    setSaving(true);
    setError(undefined);
    try {
      await api.updateImprovement(props.improvementId, {
        comment: comment.trim(),
      });
      setComment('');
      props.onAdded();
    } catch (e) {
      setError(
        errorStatus(e) === 403
          ? 'You do not have permission to comment on this improvement.'
          : `Could not add the comment: ${(e as Error).message}`,
      );
    } finally {
      setSaving(false);
    }
  }

  return (
    <Box sx={{ mt: 1 }}>
      {error && (
        <Alert severity="error" sx={{ mb: 1 }}>
          {error}
        </Alert>
      )}
      <TextField
        label="Add a comment"
        fullWidth
        multiline
        minRows={2}
        value={comment}
        onChange={e => setComment(e.target.value)}
      />
      <Box sx={{ mt: 1, textAlign: 'right' }}>
        <Button
          variant="outlined"
          disabled={saving || !comment.trim()}
          onClick={add}
        >
          Add comment
        </Button>
      </Box>
    </Box>
  );
}
