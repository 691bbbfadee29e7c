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

import type { ItsmImprovementCreateRequest } from '@backstage-itsm/plugin-itsm-common';
import { ImprovementDetailsDrawer } from './ImprovementDetailsDrawer';
import { ImprovementDialog } from './ImprovementDialog';

/**
 * What a list of improvements opens over itself: the dialog that creates
 * one, and the drawer of the selected one. A created improvement is
 * selected; every save or change reloads the list (`onChanged`).
 */
export function ImprovementOverlays(props: {
  creating: boolean;
  onCreatingChange: (creating: boolean) => void;
  /** Prefilled values of a new improvement. */
  initial: Partial<ItsmImprovementCreateRequest>;
  selectedId?: string;
  onSelect: (id: string | undefined) => void;
  onChanged: () => void;
}) {
  return (
    <>
      <ImprovementDialog
        open={props.creating}
        onClose={() => props.onCreatingChange(false)}
        onSaved={saved => {
          props.onCreatingChange(false);
          props.onChanged();
          props.onSelect(saved.id);
        }}
        initial={props.initial}
      />
      <ImprovementDetailsDrawer
        improvementId={props.selectedId}
        onClose={() => props.onSelect(undefined)}
        onChanged={() => props.onChanged()}
      />
    </>
  );
}
