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

import type { Entity } from '@backstage/catalog-model';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  formatItsmReviewPeriod,
  ItsmImprovementCreateRequest,
  itsmReviewHoldPermission,
  ItsmReviewPeriod,
  itsmReviewUpdatePermission,
  ItsmServiceReview,
  parseItsmReviewPeriod,
} from '@backstage-itsm/plugin-itsm-common';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { itsmApiRef } from '../../api';
import { entityDepartment, ItsmErrorPanel } from '../common';
import { AmendReviewDialog, ReleaseReviewDialog } from './AmendReviewDialog';
import { HoldReviewDialog } from './HoldReviewDialog';
import { lastCompleteQuarter, nextReviewDueDate, periodLabel } from './period';
import { PeriodPicker } from './PeriodPicker';
import {
  downloadText,
  holdAvailability,
  reviewFileName,
  reviewOwnerRef,
} from './reviewModel';
import { dateOf, PrintStyles, ServiceReviewView } from './ServiceReviewView';

/**
 * The service review of an entity or a team for a month or a quarter (the
 * last complete quarter by default). The period lives in the URL
 * (`?period=2026-Q3`), so a link opens the same review.
 */
export function ServiceReview(props: {
  entityRef: string;
  /** The catalog entity, when known: its department words the review and its owner owns new actions. */
  entity?: Entity;
}) {
  const { entityRef, entity } = props;
  const api = useApi(itsmApiRef);
  const [searchParams, setSearchParams] = useSearchParams();
  const periodParam = searchParams.get('period');
  const requested = parseItsmReviewPeriod(periodParam) !== undefined;
  const period = useMemo(
    () => parseItsmReviewPeriod(periodParam) ?? lastCompleteQuarter(),
    [periodParam],
  );
  const periodKey = formatItsmReviewPeriod(period);

  const setPeriod = useCallback(
    (next: ItsmReviewPeriod, replace = false) =>
      setSearchParams(
        prev => {
          const params = new URLSearchParams(prev);
          params.set('period', formatItsmReviewPeriod(next));
          return params;
        },
        { replace },
      ),
    [setSearchParams],
  );
  // Write the default period into the URL, so the link names it.
  useEffect(() => {
    if (!requested) setPeriod(period, true);
  }, [requested, period, setPeriod]);

  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getReview({ entityRef, period: periodKey }),
    [api, entityRef, periodKey],
  );
  const holdPermission = usePermission({
    permission: itsmReviewHoldPermission,
    resourceRef: entityRef,
  });
  const updatePermission = usePermission({
    permission: itsmReviewUpdatePermission,
    resourceRef: entityRef,
  });
  const key = `${entityRef}|${periodKey}`;
  const [held, setHeld] = useState<{
    key: string;
    review: ItsmServiceReview;
  }>();
  const review = held?.key === key ? held.review : value;

  const [holding, setHolding] = useState(false);
  const [amending, setAmending] = useState(false);
  const [releasing, setReleasing] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [exportError, setExportError] = useState<Error>();

  const download = async () => {
    setDownloading(true);
    setExportError(undefined);
    try {
      const markdown = await api.getReviewMarkdown({
        entityRef,
        period: periodKey,
      });
      downloadText(
        markdown,
        reviewFileName(entityRef, periodKey),
        'text/markdown;charset=utf-8',
      );
    } catch (e) {
      setExportError(e as Error);
    } finally {
      setDownloading(false);
    }
  };

  const department = entityDepartment(entity);
  const ownerRef = reviewOwnerRef(entityRef, entity);
  const actionDefaults: Partial<ItsmImprovementCreateRequest> = {
    entityRefs: [entityRef],
    dueDate: nextReviewDueDate(period),
    description: `Agreed at the ${periodLabel(period)} service review of ${
      review?.entityTitle ?? entityRef
    }.`,
    ...(ownerRef ? { ownerRef } : {}),
    ...(entity ? { department } : {}),
  };

  let content: JSX.Element;
  if (loading && !review) content = <Progress />;
  else if (error && !review)
    content = (
      <ItsmErrorPanel error={error} title="Could not load the service review" />
    );
  else if (!review) content = <Progress />;
  else
    content = (
      <ServiceReviewView
        review={review}
        department={department}
        actionDefaults={actionDefaults}
        onHold={() => setHolding(true)}
        onDownload={download}
        downloading={downloading}
        hold={holdAvailability(review, holdPermission)}
        canUpdate={updatePermission.allowed}
        onAmend={() => setAmending(true)}
        onRelease={() => setReleasing(true)}
      />
    );

  return (
    <Box>
      <PrintStyles />
      <Stack
        direction="row"
        justifyContent="space-between"
        alignItems="flex-start"
        flexWrap="wrap"
        gap={2}
        sx={{ mb: 2 }}
      >
        <Box>
          <Typography variant="h5" component="h2">
            {review?.entityTitle ?? entityRef}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Service review · {periodLabel(period)}
            {review
              ? ` (${dateOf(review.period.from)} – ${dateOf(
                  review.period.to,
                  true,
                )}, UTC)`
              : ''}
          </Typography>
        </Box>
        <PeriodPicker period={period} onChange={next => setPeriod(next)} />
      </Stack>
      {exportError && (
        <Alert
          severity="error"
          sx={{ mb: 2 }}
          onClose={() => setExportError(undefined)}
        >
          Could not download the review: {exportError.message}
        </Alert>
      )}
      {content}
      {holding && (
        <HoldReviewDialog
          open
          onClose={() => setHolding(false)}
          onHeld={result => {
            setHeld({ key, review: result });
            setHolding(false);
          }}
          entityRef={entityRef}
          period={periodKey}
          periodLabel={periodLabel(period)}
        />
      )}
      {amending && review?.held && (
        <AmendReviewDialog
          onClose={() => setAmending(false)}
          onAmended={result => {
            setHeld({ key, review: result });
            setAmending(false);
          }}
          heldId={review.held.id}
          decisions={review.held.decisions}
          periodLabel={periodLabel(period)}
        />
      )}
      {releasing && review?.held && (
        <ReleaseReviewDialog
          onClose={() => setReleasing(false)}
          onReleased={() => {
            setReleasing(false);
            setHeld(undefined);
            retry();
          }}
          heldId={review.held.id}
          periodLabel={periodLabel(period)}
        />
      )}
    </Box>
  );
}
