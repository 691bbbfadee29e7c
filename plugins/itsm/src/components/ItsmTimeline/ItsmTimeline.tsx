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
import type { ItsmRecord } from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Drawer from '@mui/material/Drawer';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import {
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { departmentTerms, ItsmErrorPanel } from '../common';
import { RecordDetails } from './RecordDetails';
import { RecordList } from './RecordList';
import { TimelineChart } from './TimelineChart';
import {
  NoRecordMatches,
  NoRecordsInWindow,
  TimelineNoSourceState,
} from './TimelineEmptyStates';
import { TimelineFilterBar } from './TimelineFilterBar';
import { TimelineLegend } from './TimelineLegend';
import {
  applyFilters,
  buildTimeline,
  DEFAULT_FILTERS,
  hasActiveFilters,
  isOpen,
  parseStoredDays,
  parseStoredFilters,
  recordsDepartment,
  TimelineFilters,
  timelineTitle,
  TIMELINE_STORAGE_KEYS,
} from './timelineModel';
import { MAX_TIMELINE_RECORDS, useEntityRecords } from './useEntityRecords';
import { useStoredTimelineChoice } from './useTimelineChoices';

/**
 * The filters: those remembered per browser (kinds, states, priorities, open
 * only, failed changes) and those of this page only (sources, search text).
 * Remembered kinds the department does not have are ignored here.
 */
function useTimelineFilters(
  department: string,
): [TimelineFilters, (filters: TimelineFilters) => void] {
  const [stored, setStored] = useStoredTimelineChoice(
    TIMELINE_STORAGE_KEYS.filters,
    parseStoredFilters,
  );
  const [local, setLocal] = useState({
    sources: DEFAULT_FILTERS.sources,
    text: DEFAULT_FILTERS.text,
  });
  const filters = useMemo(() => {
    const kinds = departmentTerms(department).kinds;
    return {
      ...stored,
      ...local,
      kinds: stored.kinds.filter(kind => kinds.includes(kind)),
      failedChangesOnly: stored.failedChangesOnly && kinds.includes('change'),
    };
  }, [stored, local, department]);
  const setFilters = useCallback(
    (next: TimelineFilters) => {
      const remembered = {
        kinds: next.kinds,
        states: next.states,
        priorities: next.priorities,
        openOnly: next.openOnly,
        failedChangesOnly: next.failedChangesOnly,
      };
      // Typing a search changes nothing remembered: no write per keystroke.
      if (JSON.stringify(remembered) !== JSON.stringify(stored)) {
        setStored(remembered);
      }
      setLocal({ sources: next.sources, text: next.text });
    },
    [stored, setStored],
  );
  return [filters, setFilters];
}

/** The timeline for loaded records: filters, zoomable axis, list and details. */
export function TimelineView(props: {
  records: ItsmRecord[];
  days: number;
  onDaysChange: (days: number) => void;
  truncated?: boolean;
  /** The service desk whose words label kinds ("Cases"); from the records when not given. */
  department?: string;
}) {
  const { records, days } = props;
  const department = useMemo(
    () => props.department ?? recordsDepartment(records),
    [props.department, records],
  );
  const [filters, setFilters] = useTimelineFilters(department);
  const deferredFilters = useDeferredValue(filters);
  const [selectedId, setSelectedId] = useState<string>();
  const windowEnd = useMemo(() => Date.now(), []);
  const windowStart = windowEnd - days * 24 * 3600 * 1000;
  const [range, setRange] = useState<[number, number]>([
    windowStart,
    windowEnd,
  ]);
  useEffect(() => setRange([windowStart, windowEnd]), [windowStart, windowEnd]);

  const items = useMemo(() => buildTimeline(records), [records]);
  const sources = useMemo(
    () => [...new Set(records.map(r => r.providerId))].sort(),
    [records],
  );
  const filtered = useMemo(
    () =>
      applyFilters(records, deferredFilters).sort(
        (a, b) => Date.parse(b.openedAt) - Date.parse(a.openedAt),
      ),
    [records, deferredFilters],
  );
  const openCount = useMemo(() => filtered.filter(isOpen).length, [filtered]);
  const select = useCallback((id: string) => setSelectedId(id), []);
  const selected = selectedId ? items.get(selectedId) : undefined;
  const reset = useCallback(() => setFilters(DEFAULT_FILTERS), [setFilters]);
  const filtering = hasActiveFilters(filters);

  let list: JSX.Element;
  if (records.length === 0) {
    list = (
      <NoRecordsInWindow
        days={days}
        onDaysChange={props.onDaysChange}
        noun={timelineTitle(department).toLowerCase()}
      />
    );
  } else if (filtered.length === 0) {
    list = <NoRecordMatches onReset={reset} />;
  } else {
    list = (
      <RecordList
        records={filtered}
        items={items}
        selectedId={selectedId}
        onSelect={select}
        department={department}
      />
    );
  }

  return (
    <Box>
      <TimelineFilterBar
        filters={filters}
        sources={sources}
        department={department}
        days={days}
        onDaysChange={props.onDaysChange}
        onChange={setFilters}
      />
      {props.truncated && (
        <Alert severity="info" sx={{ mb: 1 }}>
          Showing the newest {MAX_TIMELINE_RECORDS.toLocaleString()} records of
          this window; narrow the window to see all.
        </Alert>
      )}
      {records.length > 0 && (
        <>
          <TimelineLegend department={department} />
          <TimelineChart
            records={filtered}
            items={items}
            windowStart={windowStart}
            windowEnd={windowEnd}
            range={range}
            onRangeChange={setRange}
            selectedId={selectedId}
            onSelect={select}
            department={department}
          />
        </>
      )}
      <Stack
        direction="row"
        alignItems="center"
        gap={1}
        flexWrap="wrap"
        sx={{ my: 1 }}
      >
        <Typography variant="body2" color="text.secondary" role="status">
          {filtered.length.toLocaleString()} of{' '}
          {records.length.toLocaleString()} records,{' '}
          {openCount.toLocaleString()} open
          {filters.openOnly ? ' (open only: switch it off to see history)' : ''}
        </Typography>
        {filtering && records.length > 0 && (
          <Button size="small" onClick={reset}>
            Reset filters
          </Button>
        )}
      </Stack>
      {list}
      <Drawer
        anchor="right"
        open={Boolean(selected)}
        onClose={() => setSelectedId(undefined)}
      >
        {selected && (
          <RecordDetails
            item={selected}
            onClose={() => setSelectedId(undefined)}
            onSelect={select}
          />
        )}
      </Drawer>
    </Box>
  );
}

/**
 * Incidents, changes, problems and requests of an entity on one time axis.
 * `department` words them for HR ("cases") and facilities ("work orders").
 * The window and the filters are remembered per browser.
 */
export function ItsmTimeline(props: {
  entityRef: string;
  department?: string;
}) {
  const [days, setDays] = useStoredTimelineChoice(
    TIMELINE_STORAGE_KEYS.days,
    parseStoredDays,
  );
  const { value, loading, error } = useEntityRecords(props.entityRef, days);

  let content: JSX.Element;
  if (loading) {
    content = <Progress />;
  } else if (error) {
    content = (
      <ItsmErrorPanel error={error} title="Could not load ITSM records" />
    );
  } else if (!value?.anyMapped && !value?.coverage?.covered) {
    content = (
      <TimelineNoSourceState
        entityRef={props.entityRef}
        annotations={value?.coverage?.annotations}
      />
    );
  } else {
    content = (
      <TimelineView
        records={value.records}
        days={days}
        onDaysChange={setDays}
        truncated={value.truncated}
        department={props.department}
      />
    );
  }
  const department =
    props.department ?? (value ? recordsDepartment(value.records) : 'it');
  return <InfoCard title={timelineTitle(department)}>{content}</InfoCard>;
}
