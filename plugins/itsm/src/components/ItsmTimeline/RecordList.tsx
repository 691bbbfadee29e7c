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

import type { ItsmRecord } from '@backstage-itsm/plugin-itsm-common';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef } from 'react';
import { formatRelative, isRedacted, RedactedText } from '../common';
import { RecordMarker } from './TimelineLegend';
import {
  changeLinkNote,
  isOpen,
  kindNoun,
  READABLE_WARNING,
  recordColour,
  TimelineItem,
} from './timelineModel';

const ROW_HEIGHT = 56;

const Row = memo(function RecordRow(props: {
  record: ItsmRecord;
  item?: TimelineItem;
  selected: boolean;
  onSelect: (id: string) => void;
  department?: string;
}) {
  const { record, item, selected } = props;
  const open = isOpen(record);
  const linkNote = changeLinkNote(record);
  return (
    <Box
      role="row"
      aria-selected={selected}
      tabIndex={0}
      onClick={() => props.onSelect(record.id)}
      onKeyDown={event => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          props.onSelect(record.id);
        }
      }}
      sx={{
        display: 'flex',
        alignItems: 'center',
        gap: 1.5,
        height: ROW_HEIGHT,
        px: 1.5,
        cursor: 'pointer',
        borderBottom: 1,
        borderColor: 'divider',
        bgcolor: selected ? 'action.selected' : undefined,
        '&:hover': { bgcolor: 'action.hover' },
        '&:focus-visible': {
          outline: 2,
          outlineColor: 'primary.main',
          outlineOffset: -2,
        },
      }}
    >
      <Box role="cell" sx={{ display: 'flex', flex: 'none' }}>
        <RecordMarker colour={recordColour(record)} open={open} size={12} />
      </Box>
      <Box role="cell" sx={{ width: 110, flex: 'none' }}>
        <Typography variant="body2" fontWeight={600} noWrap>
          {record.number ?? record.externalId}
        </Typography>
        <Typography variant="caption" color="text.secondary">
          {kindNoun(record.kind, props.department)}
          {record.priority ? ` · P${record.priority}` : ''}
        </Typography>
      </Box>
      <Box role="cell" sx={{ flex: 1, minWidth: 0 }}>
        <Typography
          variant="body2"
          noWrap
          fontWeight={open ? 600 : undefined}
          title={isRedacted(record.title) ? undefined : record.title}
        >
          <RedactedText value={record.title} />
        </Typography>
        <Typography
          variant="caption"
          color="text.secondary"
          noWrap
          component="div"
        >
          {open ? 'open: ' : ''}
          {record.state.replace('_', ' ')} · opened{' '}
          {formatRelative(record.openedAt)} · {record.providerId}
          {record.assignee && (
            <>
              {' '}
              · <RedactedText value={record.assignee} />
            </>
          )}
        </Typography>
      </Box>
      <Box
        role="cell"
        sx={{ display: 'flex', gap: 1, flex: 'none', alignItems: 'center' }}
      >
        {record.causedByChange && (
          <Chip
            size="small"
            variant="outlined"
            color="warning"
            sx={READABLE_WARNING}
            label={`caused by ${record.causedByChange.number ?? 'a change'}${
              linkNote ? ' (correlation)' : ''
            }`}
            title={linkNote}
          />
        )}
        {item && item.caused.length > 0 && (
          <Chip
            size="small"
            color="error"
            label={`caused ${item.caused.length} incident${
              item.caused.length > 1 ? 's' : ''
            }`}
          />
        )}
        {item && item.suspectFor.length > 0 && item.caused.length === 0 && (
          <Chip
            size="small"
            variant="outlined"
            color="warning"
            sx={READABLE_WARNING}
            label="suspect"
          />
        )}
        {record.outcome && record.outcome !== 'successful' && (
          <Chip
            size="small"
            variant="outlined"
            label={record.outcome.replace(/_/g, ' ')}
          />
        )}
      </Box>
    </Box>
  );
});

/** The records as a virtualised list: only the rows in view are rendered. */
export function RecordList(props: {
  records: ItsmRecord[];
  items: Map<string, TimelineItem>;
  selectedId?: string;
  onSelect: (id: string) => void;
  height?: number;
  /** Words the kinds ("case", "work order"). */
  department?: string;
}) {
  const parentRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: props.records.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // jsdom has no layout: render a first screenful there.
    initialRect: { width: 800, height: props.height ?? 480 },
  });
  return (
    <Box
      ref={parentRef}
      role="table"
      aria-label="ITSM records"
      aria-rowcount={props.records.length}
      sx={{
        height: props.height ?? 480,
        overflow: 'auto',
        border: 1,
        borderColor: 'divider',
        borderRadius: 1,
      }}
    >
      <Box sx={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map(row => {
          const record = props.records[row.index];
          return (
            <Box
              key={record.id}
              sx={{
                position: 'absolute',
                top: 0,
                left: 0,
                width: '100%',
                transform: `translateY(${row.start}px)`,
              }}
            >
              <Row
                record={record}
                item={props.items.get(record.id)}
                selected={record.id === props.selectedId}
                onSelect={props.onSelect}
                department={props.department}
              />
            </Box>
          );
        })}
      </Box>
    </Box>
  );
}
