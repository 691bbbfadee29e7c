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

import { useApi } from '@backstage/core-plugin-api';
import type { ItsmServiceReview } from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { FormEvent, useState } from 'react';
import { itsmApiRef } from '../../api';

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: number; response?: { status?: number } };
  return e?.statusCode ?? e?.response?.status;
}

/**
 * Holds (saves) the review of a period with the decisions taken: its numbers
 * are frozen as they are now.
 */
export function HoldReviewDialog(props: {
  open: boolean;
  onClose: () => void;
  onHeld: (review: ItsmServiceReview) => void;
  entityRef: string;
  period: string;
  periodLabel: string;
}) {
  const api = useApi(itsmApiRef);
  const [decisions, setDecisions] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      const held = await api.holdReview({
        entityRef: props.entityRef,
        period: props.period,
        decisions: decisions.trim(),
      });
      props.onHeld(held);
    } catch (e) {
      setError(
        statusOf(e) === 403
          ? 'You do not have permission to hold reviews of this entity.'
          : `Could not hold the review: ${(e as Error).message}`,
      );
    } finally {
      setSaving(false);
    }
  };

  return (
    <Dialog
      open={props.open}
      onClose={saving ? undefined : props.onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="itsm-hold-review-title"
    >
      <form onSubmit={submit}>
        <DialogTitle id="itsm-hold-review-title">
          Hold the review of {props.periodLabel}
        </DialogTitle>
        <DialogContent dividers>
          <Typography variant="body2" paragraph>
            Holding saves this review as it is now: its numbers stay frozen when
            records change later, and the decisions below are kept with it.
          </Typography>
          <TextField
            label="Decisions and actions"
            value={decisions}
            onChange={e => setDecisions(e.target.value)}
            multiline
            minRows={6}
            fullWidth
            helperText="Markdown or plain text: what was decided, who does what by when."
          />
          {error && (
            <Alert severity="error" sx={{ mt: 2 }}>
              {error}
            </Alert>
          )}
        </DialogContent>
        <DialogActions>
          <Button onClick={props.onClose} disabled={saving}>
            Cancel
          </Button>
          <Button
            type="submit"
            variant="contained"
            disabled={saving}
            startIcon={saving ? <CircularProgress size={16} /> : undefined}
          >
            Hold review
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
