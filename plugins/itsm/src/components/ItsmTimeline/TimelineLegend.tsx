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

import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { departmentTerms } from '../common';
import {
  FAILED_CHANGE_COLOUR,
  KIND_COLOURS,
  kindLabel,
  LINK_COLOUR,
} from './timelineModel';

/** A record's marker, as the chart and the list draw it: filled when open. */
export function RecordMarker(props: {
  colour: string;
  open: boolean;
  size?: number;
}) {
  const size = props.size ?? 10;
  return (
    <Box
      component="span"
      aria-hidden
      sx={{
        display: 'inline-block',
        width: size,
        height: size,
        borderRadius: '50%',
        flex: 'none',
        boxSizing: 'border-box',
        border: 2,
        borderColor: props.open ? 'text.primary' : props.colour,
        bgcolor: props.open ? props.colour : 'background.paper',
      }}
    />
  );
}

function Entry(props: { marker: JSX.Element; label: string }) {
  return (
    <Stack direction="row" alignItems="center" gap={0.75} component="li">
      {props.marker}
      <Typography variant="caption">{props.label}</Typography>
    </Stack>
  );
}

/**
 * What the marks of the chart and the list mean: colour by kind, filled
 * and outlined when open, hollow when resolved or closed, a dashed line
 * from a change to the incident it caused.
 */
export function TimelineLegend(props: { department?: string }) {
  const department = props.department ?? 'it';
  const kinds = departmentTerms(department).kinds;
  return (
    <Stack
      component="ul"
      aria-label="Legend"
      direction="row"
      gap={2}
      flexWrap="wrap"
      sx={{ listStyle: 'none', p: 0, m: 0, mb: 1 }}
    >
      {/* One kind needs no key: the lane says which it is. */}
      {kinds.length > 1 &&
        kinds.map(kind => (
          <Entry
            key={kind}
            marker={<RecordMarker colour={KIND_COLOURS[kind]} open />}
            label={kindLabel(kind, department)}
          />
        ))}
      <Entry
        marker={<RecordMarker colour="#757575" open />}
        label="Open (bold in the list)"
      />
      <Entry
        marker={<RecordMarker colour="#757575" open={false} />}
        label="Resolved or closed"
      />
      {kinds.includes('change') && (
        <Entry
          marker={<RecordMarker colour={FAILED_CHANGE_COLOUR} open />}
          label="Failed change"
        />
      )}
      {kinds.includes('change') && (
        <Entry
          marker={
            <Box
              component="svg"
              aria-hidden
              width={24}
              height={10}
              sx={{ flex: 'none' }}
            >
              <line
                x1={0}
                y1={5}
                x2={24}
                y2={5}
                stroke={LINK_COLOUR}
                strokeWidth={2}
                strokeDasharray="4 2"
              />
            </Box>
          }
          label="Change → incident it caused"
        />
      )}
    </Stack>
  );
}
