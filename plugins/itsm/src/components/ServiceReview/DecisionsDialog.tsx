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
import { FormEvent, ReactNode, useState } from 'react';
import { errorStatus } from '../Improvements/improvementModel';

/**
 * The form holding and amending share: the decisions of a review as
 * Markdown, saved through `save`, with the saving state and the error
 * (`forbidden` on a 403, else "Could not <action>: <message>").
 */
export function DecisionsDialog(props: {
  open: boolean;
  onClose: () => void;
  /** Id of the title, which names the dialog. */
  titleId: string;
  title: ReactNode;
  /** What saving does, above the field. */
  intro: ReactNode;
  /** The decisions the field starts with. */
  initialDecisions?: string;
  helperText?: string;
  submitLabel: string;
  /** Keeps the submit button disabled until the text differs from the initial one. */
  requireChange?: boolean;
  save: (decisions: string) => Promise<ItsmServiceReview>;
  onSaved: (review: ItsmServiceReview) => void;
  /** Shown on a 403. */
  forbidden: string;
  /** Names the action in other errors: "hold the review". */
  action: string;
}) {
  const initial = props.initialDecisions ?? '';
  const [decisions, setDecisions] = useState(initial);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      props.onSaved(await props.save(decisions.trim()));
    } catch (e) {
      setError(
        errorStatus(e) === 403
          ? props.forbidden
          : `Could not ${props.action}: ${(e as Error).message}`,
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
      aria-labelledby={props.titleId}
    >
      <form onSubmit={submit}>
        <DialogTitle id={props.titleId}>{props.title}</DialogTitle>
        <DialogContent dividers>
          <Typography variant="body2" paragraph>
            {props.intro}
          </Typography>
          <TextField
            label="Decisions and actions"
            value={decisions}
            onChange={e => setDecisions(e.target.value)}
            multiline
            minRows={6}
            fullWidth
            helperText={props.helperText}
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
            disabled={
              saving ||
              (props.requireChange && decisions.trim() === initial.trim())
            }
            startIcon={saving ? <CircularProgress size={16} /> : undefined}
          >
            {props.submitLabel}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
