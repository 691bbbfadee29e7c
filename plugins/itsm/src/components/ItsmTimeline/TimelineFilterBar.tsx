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
  ITSM_RECORD_STATES,
  ItsmRecordKind,
} from '@backstage-itsm/plugin-itsm-common';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import InputLabel from '@mui/material/InputLabel';
import MenuItem from '@mui/material/MenuItem';
import Select from '@mui/material/Select';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import { departmentTerms } from '../common';
import { kindLabel, TimelineFilters } from './timelineModel';

function MultiSelect<T extends string | number>(props: {
  label: string;
  options: readonly T[];
  value: T[];
  onChange: (value: T[]) => void;
  format?: (value: T) => string;
}) {
  const id = `itsm-filter-${props.label.toLowerCase()}`;
  return (
    <FormControl size="small" sx={{ minWidth: 140 }}>
      <InputLabel id={id}>{props.label}</InputLabel>
      <Select
        labelId={id}
        label={props.label}
        multiple
        value={props.value}
        onChange={e => props.onChange(e.target.value as T[])}
        renderValue={selected =>
          (selected as T[]).map(v => props.format?.(v) ?? String(v)).join(', ')
        }
      >
        {props.options.map(option => (
          <MenuItem key={option} value={option}>
            {props.format?.(option) ?? String(option)}
          </MenuItem>
        ))}
      </Select>
    </FormControl>
  );
}

/** Filters of the timeline: kind, state, priority, source, text, open only, failed changes. */
export function TimelineFilterBar(props: {
  filters: TimelineFilters;
  sources: string[];
  /** Words the kinds ("Cases", "Work orders") and offers the department's kinds. */
  department?: string;
  days: number;
  onDaysChange: (days: number) => void;
  onChange: (filters: TimelineFilters) => void;
}) {
  const { filters, onChange } = props;
  const department = props.department ?? 'it';
  const kinds: ItsmRecordKind[] = departmentTerms(department).kinds;
  return (
    <Stack
      direction="row"
      gap={1.5}
      flexWrap="wrap"
      alignItems="center"
      sx={{ mb: 2 }}
    >
      <FormControl size="small" sx={{ minWidth: 120 }}>
        <InputLabel id="itsm-filter-window">Window</InputLabel>
        <Select
          labelId="itsm-filter-window"
          label="Window"
          value={props.days}
          onChange={e => props.onDaysChange(Number(e.target.value))}
        >
          <MenuItem value={30}>30 days</MenuItem>
          <MenuItem value={90}>90 days</MenuItem>
          <MenuItem value={365}>365 days</MenuItem>
        </Select>
      </FormControl>
      <MultiSelect
        label="Kind"
        options={kinds}
        value={filters.kinds}
        onChange={selected => onChange({ ...filters, kinds: selected })}
        format={kind => kindLabel(kind, department)}
      />
      <MultiSelect
        label="State"
        options={ITSM_RECORD_STATES}
        value={filters.states}
        onChange={states => onChange({ ...filters, states })}
        format={s => s.replace('_', ' ')}
      />
      <MultiSelect
        label="Priority"
        options={[1, 2, 3, 4, 5]}
        value={filters.priorities}
        onChange={priorities => onChange({ ...filters, priorities })}
        format={p => `P${p}`}
      />
      <MultiSelect
        label="Source"
        options={props.sources}
        value={filters.sources}
        onChange={sources => onChange({ ...filters, sources })}
      />
      <TextField
        size="small"
        label="Search"
        value={filters.text}
        onChange={e => onChange({ ...filters, text: e.target.value })}
        placeholder="Number, title, assignee"
      />
      <FormControlLabel
        control={
          <Switch
            checked={filters.openOnly}
            onChange={(_e, openOnly) => onChange({ ...filters, openOnly })}
          />
        }
        label="Open only"
      />
      {kinds.includes('change') && (
        <FormControlLabel
          control={
            <Switch
              checked={filters.failedChangesOnly}
              onChange={(_e, failedChangesOnly) =>
                onChange({ ...filters, failedChangesOnly })
              }
            />
          }
          label="Failed changes"
        />
      )}
    </Stack>
  );
}
