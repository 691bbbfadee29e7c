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
  formatItsmMetricValue,
  type ItsmImprovement,
  type ItsmImprovementProgressStatus,
  type ItsmMetricUnit,
} from '@backstage-itsm/plugin-itsm-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import {
  Bar,
  BarChart,
  Cell,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  metricDefinition,
  PROGRESS_COLOUR,
  PROGRESS_LABEL,
} from './improvementModel';

/** On track, at risk, overdue, target met, sustained… */
export function ProgressStatusChip(props: {
  status: ItsmImprovementProgressStatus;
}) {
  return (
    <Chip
      size="small"
      variant="outlined"
      color={PROGRESS_COLOUR[props.status]}
      label={PROGRESS_LABEL[props.status]}
    />
  );
}

/** The share of the way from baseline to target, as a bar 0..100. */
function ProgressBar(props: { fraction: number | null; label: string }) {
  if (props.fraction === null) return null;
  const percent = Math.round(props.fraction * 100);
  return (
    <Stack direction="row" alignItems="center" gap={1}>
      <LinearProgress
        variant="determinate"
        value={Math.max(0, Math.min(100, percent))}
        color={percent >= 100 ? 'success' : 'primary'}
        sx={{ flex: 1, height: 6, borderRadius: 3 }}
        aria-label={props.label}
      />
      <Typography variant="caption" sx={{ minWidth: 36, textAlign: 'right' }}>
        {percent}%
      </Typography>
    </Stack>
  );
}

/** Baseline → current → target of an improvement, one line. */
function valuesText(improvement: ItsmImprovement, unit: ItsmMetricUnit) {
  const { progress, metric } = improvement;
  const fmt = (v: number | null) =>
    v === null ? '–' : formatItsmMetricValue(v, unit);
  return `${fmt(progress.baseline ?? metric?.baseline ?? null)} → ${fmt(
    progress.current,
  )} → ${fmt(progress.target ?? metric?.target ?? null)}`;
}

/** The compact progress of a row or card item: metric, values, bar, status. */
export function ImprovementProgressSummary(props: {
  improvement: ItsmImprovement;
}) {
  const { improvement } = props;
  const { metric, progress } = improvement;
  if (!metric) {
    return (
      <Typography variant="body2" color="text.secondary">
        No bound metric
      </Typography>
    );
  }
  const definition = metricDefinition(metric.metricId);
  return (
    <Box sx={{ minWidth: 200 }} data-testid={`itsm-progress-${improvement.id}`}>
      <Stack direction="row" alignItems="center" gap={1} flexWrap="wrap">
        <Typography variant="body2" fontWeight={600}>
          {definition.title}
        </Typography>
        <ProgressStatusChip status={progress.status} />
      </Stack>
      <Typography
        variant="caption"
        color="text.secondary"
        title="baseline → current → target"
      >
        {valuesText(improvement, definition.unit)}
      </Typography>
      <ProgressBar
        fraction={progress.fraction}
        label={`Progress of ${improvement.title} towards its target`}
      />
    </Box>
  );
}

function Figure(props: { label: string; value: string }) {
  return (
    <Box>
      <Typography variant="overline" color="text.secondary">
        {props.label}
      </Typography>
      <Typography variant="h6">{props.value}</Typography>
    </Box>
  );
}

/** Green when the target held that week, orange when not, grey without data. */
function weekColour(met: boolean | null): string {
  if (met === null) return '#9e9e9e';
  return met ? '#2e7d32' : '#ed6c02';
}

/** Consecutive weeks, newest backwards, in which the target held. */
function weeksMetInARow(weeks: ItsmImprovement['progress']['weeks']) {
  let count = 0;
  for (let i = weeks.length - 1; i >= 0 && weeks[i].met === true; i--) {
    count++;
  }
  return count;
}

/** The full progress of one improvement: figures, bar and weekly values. */
export function ImprovementProgressPanel(props: {
  improvement: ItsmImprovement;
}) {
  const { metric, progress } = props.improvement;
  if (!metric) {
    return (
      <Typography variant="body2" color="text.secondary">
        No metric is bound to this improvement, so its progress is not measured.
        Bind one with Edit improvement (Metric and Target) to measure it against
        a target.
      </Typography>
    );
  }
  const definition = metricDefinition(metric.metricId);
  const unit = definition.unit;
  const fmt = (v: number | null) =>
    v === null ? '–' : formatItsmMetricValue(v, unit);
  const baseline = progress.baseline ?? metric.baseline;
  const target = progress.target ?? metric.target;
  const inARow = weeksMetInARow(progress.weeks);
  const data = progress.weeks.map(w => ({
    week: DateTime.fromISO(w.start).toFormat('d LLL'),
    value: w.value,
    n: w.n,
    met: w.met,
  }));
  return (
    <Box data-testid="itsm-improvement-progress">
      <Stack direction="row" alignItems="center" gap={1} sx={{ mb: 1 }}>
        <Typography variant="subtitle1">
          {definition.title} on {metric.entityRef}
        </Typography>
        <ProgressStatusChip status={progress.status} />
      </Stack>
      <Stack direction="row" gap={4} flexWrap="wrap">
        <Figure label="Baseline" value={fmt(baseline)} />
        <Figure label="Current" value={fmt(progress.current)} />
        <Figure label="Target" value={fmt(target)} />
      </Stack>
      <ProgressBar
        fraction={progress.fraction}
        label="Progress from baseline to target"
      />
      <Typography variant="caption" color="text.secondary" component="p">
        {baseline === null
          ? 'The baseline is captured when the improvement is approved.'
          : `Baseline captured ${
              metric.baselineCapturedAt
                ? DateTime.fromISO(metric.baselineCapturedAt).toLocaleString(
                    DateTime.DATE_MED,
                  )
                : ''
            } from ${metric.baselineN ?? 0} records.`}{' '}
        Current value over the last {metric.windowDays} days
        {progress.n ? ` (n = ${progress.n})` : ''};{' '}
        {definition.direction === 'higher_is_better'
          ? 'higher is better'
          : 'lower is better'}
        .
      </Typography>
      {progress.status === 'sustained' && (
        <Typography variant="body2" color="success.main" sx={{ mt: 1 }}>
          Target met for {inARow || metric.sustainWeeks} consecutive weeks
        </Typography>
      )}
      {progress.status !== 'sustained' && inARow > 0 && (
        <Typography variant="body2" sx={{ mt: 1 }}>
          Target met for {inARow} consecutive week{inARow === 1 ? '' : 's'} of
          the {metric.sustainWeeks} needed
        </Typography>
      )}
      {data.length > 0 && (
        <Box
          sx={{ height: 160, mt: 1 }}
          aria-label={`Weekly ${definition.title} over the last ${data.length} weeks`}
          role="img"
        >
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0 }}>
              <XAxis dataKey="week" fontSize={11} />
              <YAxis
                fontSize={11}
                width={56}
                tickFormatter={(v: number) => formatItsmMetricValue(v, unit)}
              />
              <Tooltip
                formatter={(v: unknown) => [
                  formatItsmMetricValue(typeof v === 'number' ? v : null, unit),
                  definition.title,
                ]}
              />
              <Bar dataKey="value" isAnimationActive={false}>
                {data.map(d => (
                  <Cell key={d.week} fill={weekColour(d.met)} />
                ))}
              </Bar>
              {target !== null && (
                <ReferenceLine
                  y={target}
                  stroke="#d32f2f"
                  strokeDasharray="4 4"
                  label={{ value: 'target', fontSize: 11, position: 'right' }}
                />
              )}
            </BarChart>
          </ResponsiveContainer>
        </Box>
      )}
    </Box>
  );
}
