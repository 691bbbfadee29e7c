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
  itsmMetricTrend,
  type ItsmMetricSeriesPoint,
  type ItsmMetricValue,
} from '@backstage-itsm/plugin-itsm-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import { memo } from 'react';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip as ChartTooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  definitionText,
  METRIC_STATUS_COLOUR,
  metricValueText,
  TREND_COLOUR,
} from '../OutcomeMetricsCard/formatMetric';

/** The metrics of the period against their targets and the previous period. */
export function ReviewMetricsTable(props: {
  metrics: Array<[string, ItsmMetricValue]>;
  department?: string;
}) {
  return (
    <Table size="small" aria-label="Metrics against targets">
      <TableHead>
        <TableRow>
          <TableCell>Metric</TableCell>
          <TableCell align="right">Value</TableCell>
          <TableCell align="right">Target</TableCell>
          <TableCell>Status</TableCell>
          <TableCell align="right">Previous period</TableCell>
          <TableCell align="right">Change</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {props.metrics.map(([id, metric]) => {
          const trend = itsmMetricTrend(metric);
          const status = metric.status ?? 'no_target';
          return (
            <TableRow key={id} data-testid={`itsm-review-metric-${id}`}>
              <TableCell>
                <Tooltip title={definitionText(metric)} placement="top-start">
                  <span>{metric.definition.title}</span>
                </Tooltip>
                <Typography
                  variant="caption"
                  color="text.secondary"
                  component="div"
                >
                  n = {metric.n}
                </Typography>
                {(metric.notes ?? []).map(note => (
                  <Typography
                    key={note}
                    variant="caption"
                    color="text.secondary"
                    component="div"
                    data-testid={`itsm-review-note-${id}`}
                  >
                    {note}
                  </Typography>
                ))}
              </TableCell>
              <TableCell align="right">
                {metricValueText(metric)}
                {metric.value === null && metric.unknownReason && (
                  <Typography
                    variant="caption"
                    color="text.secondary"
                    component="div"
                  >
                    {metric.unknownReason}
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right">
                {metric.target === undefined
                  ? '–'
                  : formatItsmMetricValue(metric.target, metric.unit)}
              </TableCell>
              <TableCell>
                {status === 'no_target' ? (
                  <Typography variant="body2" color="text.secondary">
                    no target
                  </Typography>
                ) : (
                  <Chip
                    size="small"
                    color={METRIC_STATUS_COLOUR[status]}
                    label={status.replace('_', ' ')}
                  />
                )}
              </TableCell>
              <TableCell align="right">
                {metric.previous
                  ? formatItsmMetricValue(metric.previous.value, metric.unit)
                  : '–'}
              </TableCell>
              <TableCell
                align="right"
                sx={{ color: TREND_COLOUR[trend.trend] }}
                data-trend={trend.trend}
              >
                {trend.trend === 'unknown'
                  ? '–'
                  : trend.text.replace(/ vs previous$/, '')}
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

/** One headline metric week by week, with its target as a dashed line. */
export const TrendChart = memo(function TrendChartImpl(props: {
  id: string;
  title: string;
  metric: ItsmMetricValue;
  points: ItsmMetricSeriesPoint[];
}) {
  const { metric } = props;
  const data = props.points.map(p => ({
    x: DateTime.fromISO(p.start, { zone: 'utc' }).toFormat('d LLL'),
    y: p.value,
  }));
  const format = (v: number) => formatItsmMetricValue(v, metric.unit);
  return (
    <Box
      role="figure"
      aria-label={`${props.title} by week`}
      data-testid={`itsm-review-trend-${props.id}`}
      sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 1 }}
    >
      <Typography variant="caption" color="text.secondary" component="div">
        {props.title} by week
        {metric.target !== undefined
          ? ` · target ${formatItsmMetricValue(metric.target, metric.unit)}`
          : ''}
      </Typography>
      <Box sx={{ height: 140 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart
            data={data}
            margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
          >
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis
              dataKey="x"
              tick={{ fontSize: 10 }}
              interval="preserveStartEnd"
            />
            <YAxis
              tick={{ fontSize: 10 }}
              tickFormatter={format}
              width={56}
              domain={['auto', 'auto']}
            />
            <ChartTooltip
              formatter={(value: unknown) =>
                typeof value === 'number' ? format(value) : 'no data'
              }
            />
            {metric.target !== undefined && (
              <ReferenceLine
                y={metric.target}
                stroke="#d32f2f"
                strokeDasharray="4 2"
                ifOverflow="extendDomain"
              />
            )}
            <Line
              type="monotone"
              dataKey="y"
              name={props.title}
              stroke="#1976d2"
              strokeWidth={1.5}
              dot={{ r: 2 }}
              connectNulls
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </Box>
    </Box>
  );
});

/** Small week-by-week charts of the headline metrics that have a series. */
export function ReviewTrendCharts(props: {
  metrics: Array<[string, ItsmMetricValue]>;
  series: Record<string, ItsmMetricSeriesPoint[]>;
  headline: string[];
  department?: string;
}) {
  const charted = props.metrics.filter(
    ([id]) =>
      props.headline.includes(id) &&
      (props.series[id] ?? []).some(p => p.value !== null),
  );
  if (charted.length === 0) return null;
  return (
    <Grid container spacing={1.5} sx={{ mt: 1 }}>
      {charted.map(([id, metric]) => (
        <Grid item xs={12} sm={6} md={4} key={id}>
          <TrendChart
            id={id}
            title={metric.definition.title}
            metric={metric}
            points={props.series[id]}
          />
        </Grid>
      ))}
    </Grid>
  );
}
