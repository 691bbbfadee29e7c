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
  itsmReviewAmendSchema,
  type ItsmServiceReview,
} from '@backstage-itsm/plugin-itsm-common';
import Dialog from '@mui/material/Dialog';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { FormEvent, ReactNode, useState } from 'react';
import { DialogError, DialogFooter } from '../common';
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
  const [fieldError, setFieldError] = useState<string>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    // The backend's own rule for the decisions of a held review.
    const checked = itsmReviewAmendSchema.safeParse({
      decisions: decisions.trim(),
    });
    if (!checked.success) {
      setFieldError(`Decisions: ${checked.error.issues[0].message}`);
      return;
    }
    setFieldError(undefined);
    setSaving(true);
    try {
      props.onSaved(await props.save(checked.data.decisions));
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
            error={Boolean(fieldError)}
            helperText={fieldError ?? props.helperText}
          />
          <DialogError error={error} />
        </DialogContent>
        <DialogFooter
          onCancel={props.onClose}
          busy={saving}
          label={props.submitLabel}
          disabled={props.requireChange && decisions.trim() === initial.trim()}
        />
      </form>
    </Dialog>
  );
}
