import { useEffect } from 'react';
import type { ReactNode } from 'react';

/** Sets the document title for the page ("Support · SecureBase"). */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · SecureBase`;
  }, [title]);
}

/** The page's heading row: title, an optional description and actions on the right. */
export function PageHeader({
  title,
  description,
  actions,
}: {
  title: string;
  description?: ReactNode;
  actions?: ReactNode;
}) {
  usePageTitle(title);
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="muted">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
