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

import type { Entity } from '@backstage/catalog-model';
import { useAsyncEntity } from '@backstage/plugin-catalog-react';
import {
  formatItsmDuration,
  isSafeItsmUrl,
  itsmOwnerRefOf,
  type ItsmRecord,
} from '@backstage-itsm/plugin-itsm-common';
import AddTaskIcon from '@mui/icons-material/AddTask';
import CloseIcon from '@mui/icons-material/Close';
import OpenInNewIcon from '@mui/icons-material/OpenInNew';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { DetailField, formatInstant, InlineRow, RedactedText } from '../common';
import { ImprovementDialog } from '../Improvements/ImprovementDialog';
import { daysFromToday } from '../Improvements/improvementModel';
import {
  changeLinkNote,
  READABLE_WARNING,
  type TimelineItem,
} from './timelineModel';

function slaColour(sla: { breached: boolean; stage: string }) {
  if (sla.breached) return 'error' as const;
  return sla.stage === 'completed'
    ? ('success' as const)
    : ('default' as const);
}

function Field(props: { label: string; children: React.ReactNode }) {
  return <DetailField labelWidth={170} {...props} />;
}

function RecordLinks(props: {
  title: string;
  records: ItsmRecord[];
  onSelect: (id: string) => void;
  /** A sentence under the title, e.g. that the links are a heuristic. */
  note?: string;
}) {
  if (props.records.length === 0) return null;
  return (
    <Box sx={{ mt: 2 }}>
      <Typography variant="subtitle2">{props.title}</Typography>
      {props.note && (
        <Typography variant="caption" color="text.secondary" component="p">
          {props.note}
        </Typography>
      )}
      <Stack direction="row" gap={1} flexWrap="wrap" sx={{ mt: 0.5 }}>
        {props.records.map(r => (
          <Chip
            key={r.id}
            size="small"
            label={`${r.number ?? r.externalId}: ${r.title}`}
            onClick={() => props.onSelect(r.id)}
          />
        ))}
      </Stack>
    </Box>
  );
}

/**
 * The entity of the entity page the timeline is on, if any. The timeline is
 * also used outside entity pages, where there is no entity context: the hook
 * below always makes the same context read and only its throw is caught.
 */
function useContextEntity(): Entity | undefined {
  try {
    return useAsyncEntity().entity;
  } catch {
    return undefined;
  }
}

/** Opens a prefilled improvement for an incident or problem. */
function CreateImprovement(props: { record: ItsmRecord; ownerRef?: string }) {
  const { record } = props;
  const entity = useContextEntity();
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<string>();
  const ownerRef = props.ownerRef ?? (entity && itsmOwnerRefOf(entity));
  return (
    <Box sx={{ mt: 1 }}>
      <Button
        size="small"
        variant="outlined"
        startIcon={<AddTaskIcon />}
        onClick={() => setOpen(true)}
      >
        Create improvement
      </Button>
      {created && (
        <Alert severity="success" sx={{ mt: 1 }}>
          Improvement "{created}" created.
        </Alert>
      )}
      <ImprovementDialog
        open={open}
        onClose={() => setOpen(false)}
        onSaved={improvement => {
          setOpen(false);
          setCreated(improvement.title);
        }}
        initial={{
          title: `${
            record.kind === 'problem' ? 'Resolve problem' : 'Prevent recurrence'
          }: ${record.title}`,
          recordIds: [record.id],
          entityRefs: record.entityRefs,
          ownerRef: ownerRef ?? '',
          dueDate: daysFromToday(30),
          department: record.department,
        }}
      />
    </Box>
  );
}

/** Everything about one record, with its links and a way to the source. */
export function RecordDetails(props: {
  item: TimelineItem;
  onClose: () => void;
  onSelect: (id: string) => void;
  /** The owner new improvements are prefilled with; else the page entity's. */
  ownerRef?: string;
}) {
  const { record } = props.item;
  const linkNote = changeLinkNote(record);
  const correlatedCauses = props.item.caused.filter(changeLinkNote);
  const restore =
    record.resolvedAt ?? record.closedAt
      ? (Date.parse((record.resolvedAt ?? record.closedAt)!) -
          Date.parse(record.openedAt)) /
        1000
      : null;
  return (
    <Box
      role="region"
      aria-label={`Details of ${record.number ?? record.externalId}`}
      sx={{ p: 2, width: 480 }}
    >
      <Stack direction="row" alignItems="flex-start" gap={1}>
        <Box sx={{ flex: 1 }}>
          <Typography variant="overline">
            {record.kind}
            {record.priority ? ` · P${record.priority}` : ''} ·{' '}
            {record.providerId}
          </Typography>
          <Typography variant="h6">
            {record.number ?? record.externalId}:{' '}
            <RedactedText value={record.title} />
          </Typography>
        </Box>
        <IconButton aria-label="Close details" onClick={props.onClose}>
          <CloseIcon />
        </IconButton>
      </Stack>
      {isSafeItsmUrl(record.url) && (
        // MUI's link, not Backstage's: that one's v4 focus handling calls
        // the deprecated findDOMNode. The URL was checked just above.
        <Link href={record.url!} target="_blank" rel="noopener noreferrer">
          Open in the source system
          <OpenInNewIcon
            fontSize="inherit"
            sx={{ verticalAlign: 'middle', ml: 0.5 }}
            aria-hidden
          />
        </Link>
      )}
      {(record.kind === 'incident' || record.kind === 'problem') && (
        <CreateImprovement record={record} ownerRef={props.ownerRef} />
      )}
      <Divider sx={{ my: 1.5 }} />
      <Table size="small">
        <TableBody>
          <Field label="State">{record.state.replace('_', ' ')}</Field>
          <Field label="Opened">{formatInstant(record.openedAt)}</Field>
          {record.acknowledgedAt && (
            <Field label="Acknowledged">
              {formatInstant(record.acknowledgedAt)}
            </Field>
          )}
          {record.resolvedAt && (
            <Field label="Resolved">{formatInstant(record.resolvedAt)}</Field>
          )}
          {record.closedAt && (
            <Field label="Closed">{formatInstant(record.closedAt)}</Field>
          )}
          {restore !== null && restore >= 0 && (
            <Field
              label={record.kind === 'request' ? 'Fulfilled in' : 'Restored in'}
            >
              {formatItsmDuration(restore)}
            </Field>
          )}
          {record.impactStart && (
            <Field label="Impact">
              {formatInstant(record.impactStart)} –{' '}
              {formatInstant(record.impactEnd)}
            </Field>
          )}
          {record.changeType && (
            <Field label="Change type">{record.changeType}</Field>
          )}
          {record.actualStart && (
            <Field label="Implemented">
              {formatInstant(record.actualStart)} –{' '}
              {formatInstant(record.actualEnd)}
            </Field>
          )}
          {record.outcome && (
            <Field label="Outcome">{record.outcome.replace(/_/g, ' ')}</Field>
          )}
          {record.assignmentGroup && (
            <Field label="Assignment group">{record.assignmentGroup}</Field>
          )}
          {record.assignee && (
            <Field label="Assignee">
              <RedactedText value={record.assignee} />
            </Field>
          )}
          {record.reopenCount > 0 && (
            <Field label="Reopened">{record.reopenCount} times</Field>
          )}
          {record.causedByChange && (
            <Field label="Caused by">
              {record.causedByChange.id ? (
                <Chip
                  size="small"
                  variant="outlined"
                  color="warning"
                  sx={READABLE_WARNING}
                  label={`${record.causedByChange.number}: ${record.causedByChange.title}`}
                  onClick={() => props.onSelect(record.causedByChange!.id!)}
                />
              ) : (
                `${record.causedByChange.externalId} (not loaded)`
              )}
              {linkNote && (
                <Typography
                  variant="caption"
                  color="text.secondary"
                  component="p"
                >
                  {linkNote}
                </Typography>
              )}
            </Field>
          )}
          {record.problem && (
            <Field label="Problem">
              {record.problem.number ?? record.problem.externalId}
              {record.problem.title ? `: ${record.problem.title}` : ''}
            </Field>
          )}
          <Field label="Entities">{record.entityRefs.join(', ') || '–'}</Field>
        </TableBody>
      </Table>
      {record.slas.length > 0 && (
        <Box sx={{ mt: 2 }}>
          <Typography variant="subtitle2">SLAs</Typography>
          {record.slas.map(sla => (
            <InlineRow key={`${sla.name}-${sla.startAt}`}>
              <Chip
                size="small"
                color={slaColour(sla)}
                label={sla.breached ? 'breached' : sla.stage.replace('_', ' ')}
              />
              <Typography variant="body2">
                {sla.name} ({sla.kind}
                {sla.targetSeconds
                  ? `, target ${formatItsmDuration(sla.targetSeconds)}`
                  : ''}
                )
              </Typography>
            </InlineRow>
          ))}
        </Box>
      )}
      <RecordLinks
        title="Incidents this change caused"
        records={props.item.caused}
        onSelect={props.onSelect}
        note={
          correlatedCauses.length
            ? `Linked by correlation, a heuristic, not a confirmed cause: ${correlatedCauses
                .map(r => r.number ?? r.externalId)
                .join(', ')}.`
            : undefined
        }
      />
      <RecordLinks
        title="Suspect changes (ended in the 4 hours before)"
        records={props.item.suspects}
        onSelect={props.onSelect}
      />
      <RecordLinks
        title="Incidents this change is a suspect for"
        records={props.item.suspectFor}
        onSelect={props.onSelect}
      />
    </Box>
  );
}
