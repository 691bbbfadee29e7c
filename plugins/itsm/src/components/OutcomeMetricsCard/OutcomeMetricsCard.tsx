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

import { InfoCard, Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import {
  formatItsmMetricValue,
  itsmMetricTrend,
  type ItsmMetricBucket,
  type ItsmMetricSeriesPoint,
  type ItsmMetricsResponse,
  type ItsmMetricUnit,
  type ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import Chip from '@mui/material/Chip';
import FormControl from '@mui/material/FormControl';
import Grid from '@mui/material/Grid';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import { memo, useMemo, useState } from 'react';
import useAsync from 'react-use/esm/useAsync';
import { Line, LineChart, ResponsiveContainer, YAxis } from 'recharts';
import { itsmApiRef } from '../../api';
import { ItsmErrorPanel, NoSourceState } from '../common';
import { DataFreshness } from '../DataFreshness';
import { selectDepartmentMetrics } from './departmentMetrics';
import {
  definitionText,
  METRIC_STATUS_COLOUR,
  metricValueText,
  TREND_COLOUR,
} from './formatMetric';
import { MetricRecordsDialog } from './MetricRecordsDialog';
import { NoSourceConnected } from './NoSourceConnected';

type WindowChoice = '30' | '90' | '365' | 'custom';

function bucketFor(days: number): ItsmMetricBucket {
  if (days <= 31) return 'day';
  if (days <= 120) return 'week';
  return 'month';
}

/**
 * The text alternative of a sparkline: how many buckets had data, where the
 * series started and ended, and its range.
 */
export function seriesSummary(
  title: string,
  points: ItsmMetricSeriesPoint[],
  unit: ItsmMetricUnit,
  bucket?: ItsmMetricBucket,
): string {
  const known = points.filter(
    (p): p is ItsmMetricSeriesPoint & { value: number } => p.value !== null,
  );
  const per = bucket ? ` per ${bucket}` : '';
  if (known.length === 0) {
    return `${title}${per}: no bucket has data`;
  }
  const values = known.map(p => p.value);
  const format = (v: number) => formatItsmMetricValue(v, unit);
  return `${title}${per}, ${known.length} of ${
    points.length
  } buckets with data: first ${format(values[0])}, last ${format(
    values[values.length - 1],
  )}, lowest ${format(Math.min(...values))}, highest ${format(
    Math.max(...values),
  )}`;
}

/** Read by screen readers, not shown (sizes in px: a bare 1 in sx is 100%). */
const VISUALLY_HIDDEN = {
  position: 'absolute',
  width: '1px',
  height: '1px',
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
  p: 0,
  m: '-1px',
} as const;

const Sparkline = memo(function SparklineImpl(props: {
  points: ItsmMetricSeriesPoint[];
  /** The text alternative (see `seriesSummary`). */
  summary: string;
}) {
  const data = props.points.map(p => ({ x: p.start, y: p.value }));
  if (data.filter(d => d.y !== null).length < 2)
    return <Box sx={{ height: 36 }} />;
  return (
    <Box sx={{ height: 36 }} role="img" aria-label={props.summary}>
      <ResponsiveContainer width="100%" height="100%">
        {/* The wrapper (role img) is the text alternative; recharts' own
            accessibility layer would add a focusable svg inside the tile's
            button. */}
        <LineChart
          data={data}
          margin={{ top: 4, bottom: 4, left: 0, right: 0 }}
          accessibilityLayer={false}
        >
          <YAxis hide domain={['auto', 'auto']} />
          <Line
            type="monotone"
            dataKey="y"
            stroke="#1976d2"
            strokeWidth={1.5}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
});

function MetricTile(props: {
  id: string;
  metric: ItsmMetricValue;
  department?: string;
  series?: ItsmMetricSeriesPoint[];
  bucket?: ItsmMetricBucket;
  onOpen: (id: string) => void;
}) {
  const { metric } = props;
  const trend = itsmMetricTrend(metric);
  const status = metric.status ?? 'no_target';
  const title = metric.definition.title;
  const unknown = metric.value === null ? metric.unknownReason : undefined;
  const notes = metric.notes ?? [];
  return (
    // The button is named by what the tile shows (WCAG 2.5.3, label in
    // name), plus a hidden word on what it does.
    <ButtonBase
      onClick={() => props.onOpen(props.id)}
      sx={{
        display: 'block',
        width: '100%',
        textAlign: 'left',
        p: 1.5,
        border: 1,
        borderColor: 'divider',
        borderRadius: 1,
      }}
    >
      <Tooltip title={definitionText(metric)} placement="top" describeChild>
        <Typography
          variant="caption"
          color="text.secondary"
          noWrap
          component="div"
        >
          {title}
        </Typography>
      </Tooltip>
      <Typography variant="h5" data-testid={`itsm-metric-${props.id}`}>
        {metricValueText(metric)}
      </Typography>
      {unknown && (
        <Typography
          variant="caption"
          color="text.secondary"
          component="div"
          data-testid={`itsm-metric-${props.id}-reason`}
        >
          {unknown}
        </Typography>
      )}
      {metric.unit === 'seconds' &&
        metric.p50 !== undefined &&
        metric.p50 !== null && (
          <Typography variant="caption" color="text.secondary" component="div">
            p50 {formatItsmMetricValue(metric.p50, 'seconds')} · p90{' '}
            {formatItsmMetricValue(metric.p90, 'seconds')}
          </Typography>
        )}
      <Typography
        variant="caption"
        sx={{ color: TREND_COLOUR[trend.trend] }}
        component="div"
      >
        {trend.text} · n = {metric.n}
      </Typography>
      {props.series && (
        <Sparkline
          points={props.series}
          summary={seriesSummary(
            title,
            props.series,
            metric.unit,
            props.bucket,
          )}
        />
      )}
      {status !== 'no_target' && (
        <Chip
          size="small"
          color={METRIC_STATUS_COLOUR[status]}
          label={`${status.replace('_', ' ')}${
            metric.target !== undefined
              ? `: target ${formatItsmMetricValue(metric.target, metric.unit)}`
              : ''
          }`}
        />
      )}
      {notes.length > 0 && (
        <Box data-testid={`itsm-metric-${props.id}-notes`} sx={{ mt: 0.5 }}>
          {notes.map(note => (
            <Typography
              key={note}
              variant="caption"
              color="text.secondary"
              component="div"
              sx={{ fontStyle: 'italic' }}
            >
              {note}
            </Typography>
          ))}
        </Box>
      )}
      <Box component="span" sx={VISUALLY_HIDDEN}>
        , show the records behind it
      </Box>
    </ButtonBase>
  );
}

/**
 * The metric grid for a loaded response. With a department, its headline
 * metrics come first and IT-only metrics are left out for HR and facilities.
 */
export function OutcomeMetricsView(props: {
  response: ItsmMetricsResponse;
  onOpen: (id: string) => void;
  /** The service desk of the entity (`it`, `hr`, `facilities`); `it` by default. */
  department?: string;
}) {
  const { response } = props;
  const { shown, withoutData, notApplicable } = selectDepartmentMetrics(
    response.metrics,
    props.department,
  );
  return (
    <Box>
      <Grid container spacing={1.5}>
        {shown.map(([id, metric]) => (
          <Grid item xs={12} sm={6} md={4} lg={3} key={id}>
            <MetricTile
              id={id}
              metric={metric}
              department={props.department}
              series={response.series?.[id]}
              bucket={response.bucket}
              onOpen={props.onOpen}
            />
          </Grid>
        ))}
      </Grid>
      <DataFreshness sources={response.sources} />
      <Typography
        variant="caption"
        color="text.secondary"
        component="div"
        sx={{ mt: 1 }}
      >
        {DateTime.fromISO(response.from).toLocaleString(DateTime.DATE_MED)} –{' '}
        {DateTime.fromISO(response.to).toLocaleString(DateTime.DATE_MED)},
        compared with the previous{' '}
        {Math.round(
          (Date.parse(response.to) - Date.parse(response.from)) / 86_400_000,
        )}{' '}
        days
        {response.scope.entityCount > 1
          ? ` · ${response.scope.entityCount} entities rolled up`
          : ''}
        {withoutData > 0 ? ` · ${withoutData} metrics without data hidden` : ''}
        {notApplicable > 0
          ? ` · ${notApplicable} IT service metrics not shown`
          : ''}
        {response.warnings.length > 0
          ? ` · ${response.warnings.join('; ')}`
          : ''}
      </Typography>
    </Box>
  );
}

/**
 * Outcome metrics of an entity (or its rollup) for a window, against targets.
 * `department` (from the entity's `backstage-itsm.io/department`) picks the
 * headline metrics: fulfilment time for HR and facilities instead of MTTR.
 */
export function OutcomeMetricsCard(props: {
  entityRef: string;
  department?: string;
}) {
  const api = useApi(itsmApiRef);
  const [choice, setChoice] = useState<WindowChoice>('30');
  const [custom, setCustom] = useState({
    from: DateTime.now().minus({ days: 30 }).toISODate()!,
    to: DateTime.now().toISODate()!,
  });
  const [openMetric, setOpenMetric] = useState<string>();

  const window = useMemo(() => {
    if (choice === 'custom') {
      const from = DateTime.fromISO(custom.from).startOf('day');
      const to = DateTime.fromISO(custom.to).plus({ days: 1 }).startOf('day');
      return {
        from: from.toISO()!,
        to: to.toISO()!,
        days: Math.max(1, to.diff(from, 'days').days),
      };
    }
    const days = Number(choice);
    const to = DateTime.now();
    return { from: to.minus({ days }).toISO()!, to: to.toISO()!, days };
  }, [choice, custom]);

  const { value, loading, error } = useAsync(
    () =>
      api.getMetrics({
        entityRef: props.entityRef,
        from: window.from,
        to: window.to,
        bucket: bucketFor(window.days),
      }),
    [api, props.entityRef, window],
  );

  let content: JSX.Element;
  if (loading) content = <Progress />;
  else if (error)
    content = <ItsmErrorPanel error={error} title="Could not load metrics" />;
  else if (value?.coverage && !value.coverage.covered) {
    // Nothing covers the entity: what to add, not a wall of dashes.
    content = (
      <NoSourceConnected
        entityRef={props.entityRef}
        annotations={value.coverage.annotations}
      />
    );
  } else if (
    value &&
    !value.coverage &&
    Object.values(value.metrics).every(m => m.n === 0) &&
    value.metrics.availability?.value === null
  ) {
    // A backend that does not say whether a source covers the entity.
    content = <NoSourceState entityRef={props.entityRef} />;
  } else
    content = (
      <OutcomeMetricsView
        response={value!}
        onOpen={setOpenMetric}
        department={props.department}
      />
    );

  const open = openMetric && value?.metrics[openMetric];
  return (
    <InfoCard
      title="Outcome metrics"
      action={
        <Stack
          direction="row"
          gap={1}
          alignItems="center"
          sx={{ pt: 1, pr: 1 }}
        >
          {choice === 'custom' && (
            <>
              <TextField
                size="small"
                type="date"
                label="From"
                value={custom.from}
                onChange={e => setCustom(c => ({ ...c, from: e.target.value }))}
                InputLabelProps={{ shrink: true }}
              />
              <TextField
                size="small"
                type="date"
                label="To"
                value={custom.to}
                onChange={e => setCustom(c => ({ ...c, to: e.target.value }))}
                InputLabelProps={{ shrink: true }}
              />
            </>
          )}
          <FormControl size="small" sx={{ minWidth: 130 }}>
            <InputLabel id="itsm-metrics-window">Window</InputLabel>
            <Select
              labelId="itsm-metrics-window"
              label="Window"
              value={choice}
              onChange={e => setChoice(e.target.value as WindowChoice)}
            >
              <MenuItem value="30">Last 30 days</MenuItem>
              <MenuItem value="90">Last 90 days</MenuItem>
              <MenuItem value="365">Last 365 days</MenuItem>
              <MenuItem value="custom">Custom</MenuItem>
            </Select>
          </FormControl>
        </Stack>
      }
    >
      {content}
      {open && (
        <MetricRecordsDialog
          open
          onClose={() => setOpenMetric(undefined)}
          entityRef={props.entityRef}
          metricId={openMetric!}
          title={open.definition.title}
          from={window.from}
          to={window.to}
        />
      )}
    </InfoCard>
  );
}
