import { micromark } from 'micromark';

/**
 * Markdown as HTML. micromark escapes raw HTML and drops `javascript:` and other dangerous link
 * protocols by default, so what a customer or agent typed can never run as script.
 */
export function Markdown({ source, className = 'markdown' }: { source: string; className?: string }) {
  return <div className={className} dangerouslySetInnerHTML={{ __html: micromark(source) }} />;
}
