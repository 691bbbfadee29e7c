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
import {
  formatItsmMetricValue,
  type ItsmImprovementProgressStatus,
  type ItsmReviewImprovement,
  type ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import { reviewMetricInfo } from './reviewModel';

const PROGRESS: Record<
  ItsmImprovementProgressStatus,
  { label: string; colour: 'success' | 'warning' | 'error' | 'default' }
> = {
  not_started: { label: 'not started', colour: 'default' },
  on_track: { label: 'on track', colour: 'success' },
  at_risk: { label: 'at risk', colour: 'warning' },
  overdue: { label: 'overdue', colour: 'error' },
  target_met: { label: 'target met', colour: 'success' },
  sustained: { label: 'sustained', colour: 'success' },
  no_data: { label: 'no data', colour: 'default' },
  not_measured: { label: 'not measured', colour: 'default' },
  closed: { label: 'closed', colour: 'default' },
};

/** "MTTR: 5h → 4h 12m (target 3h)": what the improvement has done to its metric. */
export function measuredEffect(
  review: ItsmServiceReview,
  improvement: ItsmReviewImprovement,
): string {
  if (!improvement.metricId) return 'No metric bound';
  const { title, unit } = reviewMetricInfo(review, improvement.metricId);
  const value = (v: number | null) =>
    v === null ? 'no data' : formatItsmMetricValue(v, unit);
  const target =
    improvement.target === null
      ? ''
      : ` (target ${formatItsmMetricValue(improvement.target, unit)})`;
  return `${title}: ${value(improvement.baseline)} → ${value(
    improvement.current,
  )}${target}`;
}

function ImprovementTable(props: {
  review: ItsmServiceReview;
  items: ItsmReviewImprovement[];
  label: string;
  empty: string;
}) {
  if (props.items.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        {props.empty}
      </Typography>
    );
  }
  return (
    <Table size="small" aria-label={props.label}>
      <TableHead>
        <TableRow>
          <TableCell>Improvement</TableCell>
          <TableCell>Owner</TableCell>
          <TableCell>Status</TableCell>
          <TableCell>Due</TableCell>
          <TableCell>Measured effect (baseline → current)</TableCell>
          <TableCell>Progress</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.items.map(item => {
          const progress = PROGRESS[item.progressStatus];
          return (
            <TableRow key={item.id}>
              <TableCell>{item.title}</TableCell>
              <TableCell>
                <EntityRefLink entityRef={item.ownerRef} />
              </TableCell>
              <TableCell>{item.status.replace('_', ' ')}</TableCell>
              <TableCell>
                {item.dueDate
                  ? DateTime.fromISO(item.dueDate).toLocaleString(
                      DateTime.DATE_MED,
                    )
                  : '–'}
              </TableCell>
              <TableCell>{measuredEffect(props.review, item)}</TableCell>
              <TableCell>
                <Chip
                  size="small"
                  color={progress.colour}
                  label={progress.label}
                />
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** Improvements due, overdue and completed, with what they did to their metric. */
export function ReviewImprovements(props: { review: ItsmServiceReview }) {
  const { review } = props;
  const groups = [
    {
      key: 'overdue',
      title: 'Overdue',
      items: review.improvements.overdue,
      empty: 'Nothing is overdue.',
    },
    {
      key: 'due',
      title: 'Due',
      items: review.improvements.due,
      empty: 'Nothing falls due.',
    },
    {
      key: 'completed',
      title: 'Completed',
      items: review.improvements.completed,
      empty: 'Nothing was completed in this period.',
    },
  ];
  return (
    <Box>
      {groups.map(group => (
        <Box key={group.key} sx={{ mb: 2 }}>
          <Typography variant="subtitle2" component="h3">
            {group.title} ({group.items.length})
          </Typography>
          <ImprovementTable
            review={review}
            items={group.items}
            label={`${group.title} improvements`}
            empty={group.empty}
          />
        </Box>
      ))}
    </Box>
  );
}
