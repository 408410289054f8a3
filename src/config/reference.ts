import { CONFIG_VARIABLES } from './config.ts';
import type { ConfigVariable } from './config.ts';

/** The README's configuration table sits between these lines; `npm run config:docs` rewrites it. */
export const REFERENCE_START =
  '<!-- configuration reference: generated from src/config/config.ts by `npm run config:docs` -->';
export const REFERENCE_END = '<!-- end of configuration reference -->';

/** A Markdown table of the variables: name, default, whether it is a secret (and its file variant), meaning. */
export function configReference(variables: readonly ConfigVariable[] = CONFIG_VARIABLES): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const rows = variables.map(
    (variable) =>
      `| \`${variable.name}\` | ${cell(variable.default)} | ${variable.secret ? `yes, or \`${variable.name}_FILE\`` : 'no'} | ${cell(variable.description)} |`,
  );
  return ['| variable | default | secret | meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** The README with its reference replaced by the current one; throws when the markers are missing. */
export function withConfigReference(readme: string, reference: string = configReference()): string {
  const start = readme.indexOf(REFERENCE_START);
  const end = readme.indexOf(REFERENCE_END);
  if (start < 0 || end < start) throw new Error('the README lacks the configuration reference markers');
  return `${readme.slice(0, start + REFERENCE_START.length)}\n\n${reference}\n\n${readme.slice(end)}`;
}
