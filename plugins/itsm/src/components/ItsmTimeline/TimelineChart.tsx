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

import type {
  ItsmRecord,
  ItsmRecordKind,
} from '@backstage-itsm/plugin-itsm-common';
import Box from '@mui/material/Box';
import Slider from '@mui/material/Slider';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import { memo, useDeferredValue, useMemo } from 'react';
import {
  CartesianGrid,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  isOpen,
  KIND_LANES,
  kindLabel,
  LINK_COLOUR,
  recordColour,
  TimelineItem,
  timelineSummary,
} from './timelineModel';

interface Point {
  x: number;
  y: number;
  id: string;
  fill: string;
  label: string;
  selected: boolean;
  /** Open (filled, outlined) or resolved and closed (hollow); binned: any open. */
  open: boolean;
  /** Records this dot stands for (more than one when the range is crowded). */
  count: number;
}

/** Above this many records in view, dots are binned so the SVG stays small. */
export const MAX_DOTS = 1500;
const BINS_PER_LANE = 320;

const KINDS: ItsmRecordKind[] = ['incident', 'change', 'problem', 'request'];

function Dot(props: { cx?: number; cy?: number; payload?: Point }) {
  const { cx, cy, payload } = props;
  if (cx === undefined || cy === undefined || !payload) return null;
  let stroke = payload.open ? '#212121' : payload.fill;
  if (payload.selected) stroke = '#000';
  return (
    <circle
      cx={cx}
      cy={cy}
      r={(payload.selected ? 7 : 4) + Math.min(5, Math.log2(payload.count))}
      fill={payload.open ? payload.fill : '#fff'}
      stroke={stroke}
      strokeWidth={payload.selected ? 3 : 1.5}
      style={{ cursor: 'pointer' }}
    />
  );
}

function formatTick(ms: number) {
  return DateTime.fromMillis(ms).toFormat('d LLL');
}

function formatInstant(ms: number) {
  return DateTime.fromMillis(ms).toLocaleString(DateTime.DATETIME_MED);
}

function rangeThumbLabel(index: number) {
  return index === 0
    ? 'Start of the visible time range'
    : 'End of the visible time range';
}

/**
 * Records on one time axis, a lane per kind, coloured by kind and priority.
 * The range slider zooms; changes are joined to the incidents they caused.
 */
export const TimelineChart = memo(function TimelineChartImpl(props: {
  records: ItsmRecord[];
  items: Map<string, TimelineItem>;
  windowStart: number;
  windowEnd: number;
  range: [number, number];
  onRangeChange: (range: [number, number]) => void;
  selectedId?: string;
  onSelect: (id: string) => void;
  /** Names the lanes in the department's words ("Cases"). */
  department?: string;
}) {
  const {
    records,
    items,
    windowStart,
    windowEnd,
    range,
    selectedId,
    onSelect,
    department,
  } = props;
  const laneNames = useMemo(
    () =>
      Object.fromEntries(
        KINDS.map(k => [KIND_LANES[k], kindLabel(k, department)]),
      ),
    [department],
  );

  // The axis follows the slider lazily, so dragging stays smooth.
  const view = useDeferredValue(range);

  const inView = useMemo(
    () =>
      records.filter(r => {
        const at = Date.parse(r.openedAt);
        return at >= view[0] && at <= view[1];
      }),
    [records, view],
  );
  const summary = useMemo(
    () => timelineSummary(inView, view[0], view[1], department),
    [inView, view, department],
  );

  const byKind = useMemo(() => {
    const binWidth = Math.max(1, (view[1] - view[0]) / BINS_PER_LANE);
    const result = new Map<ItsmRecordKind, Point[]>();
    const bins = new Map<string, { point: Point; best: ItsmRecord }>();
    for (const record of inView) {
      const at = Date.parse(record.openedAt);
      const point: Point = {
        x: at,
        y: KIND_LANES[record.kind],
        id: record.id,
        fill: recordColour(record),
        label: `${record.number ?? ''} ${record.title}`,
        selected: record.id === selectedId,
        open: isOpen(record),
        count: 1,
      };
      if (inView.length <= MAX_DOTS) {
        const list = result.get(record.kind) ?? [];
        list.push(point);
        result.set(record.kind, list);
        continue;
      }
      // Crowded: one dot per bin and lane, coloured by its most urgent record.
      const key = `${record.kind}:${Math.floor((at - view[0]) / binWidth)}`;
      const bin = bins.get(key);
      if (!bin) {
        bins.set(key, { point, best: record });
      } else {
        bin.point.count++;
        bin.point.label = `${bin.point.count} records`;
        if (
          (record.priority ?? 9) < (bin.best.priority ?? 9) ||
          record.id === selectedId
        ) {
          bin.best = record;
          bin.point.id = record.id;
          bin.point.fill = recordColour(record);
        }
        bin.point.selected = bin.point.selected || record.id === selectedId;
        bin.point.open = bin.point.open || isOpen(record);
      }
    }
    for (const { point, best } of bins.values()) {
      const list = result.get(best.kind) ?? [];
      list.push(point);
      result.set(best.kind, list);
    }
    return result;
  }, [inView, view, selectedId]);

  const links = useMemo(() => {
    const segments: Array<{ key: string; from: number; to: number }> = [];
    for (const record of records) {
      if (record.kind !== 'change') continue;
      for (const incident of items.get(record.id)?.caused ?? []) {
        segments.push({
          key: `${record.id}-${incident.id}`,
          from: Date.parse(record.openedAt),
          to: Date.parse(incident.openedAt),
        });
      }
    }
    return segments.filter(s => s.to >= view[0] && s.from <= view[1]);
  }, [records, items, view]);

  return (
    <Box>
      {/* The records are in the list below too; the chart reads as a summary. */}
      <Box
        sx={{ height: 220 }}
        data-testid="itsm-timeline-chart"
        role="img"
        aria-label={summary}
      >
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart
            margin={{ top: 10, right: 20, bottom: 10, left: 10 }}
            accessibilityLayer={false}
          >
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              type="number"
              dataKey="x"
              domain={view}
              allowDataOverflow
              tickFormatter={formatTick}
              scale="time"
            />
            <YAxis
              type="number"
              dataKey="y"
              domain={[-0.5, 3.5]}
              ticks={[0, 1, 2, 3]}
              tickFormatter={(v: number) => laneNames[v] ?? ''}
              width={80}
            />
            <Tooltip
              cursor={false}
              content={({ payload }) => {
                const point = payload?.[0]?.payload as Point | undefined;
                if (!point) return null;
                return (
                  <Box
                    sx={{
                      bgcolor: 'background.paper',
                      p: 1,
                      boxShadow: 2,
                      maxWidth: 320,
                    }}
                  >
                    <Typography variant="body2">{point.label}</Typography>
                    <Typography variant="caption">
                      {DateTime.fromMillis(point.x).toLocaleString(
                        DateTime.DATETIME_MED,
                      )}
                    </Typography>
                  </Box>
                );
              }}
            />
            {links.map(link => (
              <ReferenceLine
                key={link.key}
                segment={[
                  { x: link.from, y: KIND_LANES.change },
                  { x: link.to, y: KIND_LANES.incident },
                ]}
                stroke={LINK_COLOUR}
                strokeDasharray="4 2"
                ifOverflow="hidden"
              />
            ))}
            {KINDS.map(kind => (
              <Scatter
                key={kind}
                name={kindLabel(kind, department)}
                data={byKind.get(kind) ?? []}
                shape={<Dot />}
                isAnimationActive={false}
                onClick={(point: { payload?: Point }) =>
                  point.payload && onSelect(point.payload.id)
                }
              />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      </Box>
      <Box sx={{ px: 12 }}>
        <Slider
          getAriaLabel={rangeThumbLabel}
          getAriaValueText={formatInstant}
          value={range}
          min={windowStart}
          max={windowEnd}
          step={60 * 60 * 1000}
          onChange={(_e, value) =>
            props.onRangeChange(value as [number, number])
          }
          valueLabelDisplay="auto"
          valueLabelFormat={formatTick}
          size="small"
        />
      </Box>
    </Box>
  );
});
