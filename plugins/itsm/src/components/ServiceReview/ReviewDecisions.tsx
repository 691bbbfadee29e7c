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

import { MarkdownContent } from '@backstage/core-components';
import type {
  ItsmImprovement,
  ItsmImprovementCreateRequest,
  ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import AddIcon from '@mui/icons-material/Add';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import List from '@mui/material/List';
import ListItem from '@mui/material/ListItem';
import ListItemText from '@mui/material/ListItemText';
import Typography from '@mui/material/Typography';
import { DateTime } from 'luxon';
import { useState } from 'react';
import { formatInstant } from '../common';
import { ImprovementDialog } from '../Improvements/ImprovementDialog';

/** The first words of a text, for a line of history. */
function excerpt(text: string, length = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return '(none)';
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

/**
 * The decisions recorded when the review was held, and the actions agreed:
 * "Add action" opens the improvement dialog prefilled with the entity, its
 * owner and a due date before the next review.
 */
export function ReviewDecisions(props: {
  review: ItsmServiceReview;
  /** Prefilled values of a new action. */
  actionDefaults: Partial<ItsmImprovementCreateRequest>;
}) {
  const { held } = props.review;
  const [open, setOpen] = useState(false);
  const [added, setAdded] = useState<ItsmImprovement[]>([]);

  return (
    <Box>
      {held && held.decisions.trim() && (
        <Box data-testid="itsm-review-decisions">
          <MarkdownContent content={held.decisions} />
        </Box>
      )}
      {(!held || !held.decisions.trim()) && (
        <Typography variant="body2" color="text.secondary">
          {held
            ? 'No decisions were recorded when the review was held.'
            : 'Not held yet: hold the review to record the decisions taken with its numbers.'}
        </Typography>
      )}
      {held && held.amendments.length > 0 && (
        <Box sx={{ mt: 2 }} data-testid="itsm-review-decision-history">
          <Typography variant="subtitle2">History of the decisions</Typography>
          <List dense disablePadding>
            {[...held.amendments].reverse().map(amendment => (
              <ListItem
                key={`${amendment.at}|${amendment.by}|${amendment.decisions.to}`}
                disableGutters
              >
                <ListItemText
                  primary={`${formatInstant(amendment.at)} · amended by ${
                    amendment.by
                  }`}
                  secondary={`Before: ${excerpt(amendment.decisions.from)}`}
                />
              </ListItem>
            ))}
          </List>
        </Box>
      )}
      {added.length > 0 && (
        <Alert severity="success" sx={{ mt: 2 }}>
          Actions added:
          <List dense disablePadding>
            {added.map(item => (
              <ListItem key={item.id} disableGutters>
                <ListItemText
                  primary={item.title}
                  secondary={`${item.ownerRef}${
                    item.dueDate
                      ? ` · due ${DateTime.fromISO(item.dueDate).toLocaleString(
                          DateTime.DATE_MED,
                        )}`
                      : ''
                  }`}
                />
              </ListItem>
            ))}
          </List>
        </Alert>
      )}
      <Button
        className="itsm-review-no-print"
        startIcon={<AddIcon />}
        variant="outlined"
        size="small"
        sx={{ mt: 2 }}
        onClick={() => setOpen(true)}
      >
        Add action
      </Button>
      <ImprovementDialog
        open={open}
        onClose={() => setOpen(false)}
        onSaved={improvement => {
          setAdded(list => [...list, improvement]);
          setOpen(false);
        }}
        initial={props.actionDefaults}
      />
    </Box>
  );
}
