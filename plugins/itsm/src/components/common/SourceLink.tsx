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

import { Link } from '@backstage/core-components';
import { isSafeItsmUrl } from '@backstage-itsm/plugin-itsm-common';
import type { ReactNode } from 'react';

/**
 * A link into a source system (ServiceNow, PagerDuty, an HR tool) from a URL
 * the source supplied. Only an absolute http(s) URL without credentials
 * becomes a link; anything else (say a `javascript:` URL stored before
 * ingestion refused them) shows the children as plain text, so it can
 * neither run nor make Backstage's `Link` throw and break the page.
 *
 * The link is always underlined: record numbers sit inside lines of text
 * ("INC0010231 Card payments fail (P1)"), where colour alone does not tell a
 * link from the words around it (WCAG 1.4.1, axe `link-in-text-block`).
 */
export function SourceLink(props: {
  url: string | null | undefined;
  children: ReactNode;
  externalLinkIcon?: boolean;
}) {
  const { url, children, externalLinkIcon } = props;
  if (!isSafeItsmUrl(url)) {
    return <>{children}</>;
  }
  return (
    <Link to={url} externalLinkIcon={externalLinkIcon} underline="always">
      {children}
    </Link>
  );
}
