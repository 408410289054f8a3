/**
 * The search box's language, parsed here so user input never reaches FTS5 or tsquery syntax:
 * words (letters and digits; everything else separates them), all required; `"quoted words"`
 * as a phrase; a `*` right after a word makes it a prefix. Operators of either engine (`OR`,
 * `NOT`, `NEAR`, `-`, `:`, parentheses, column filters) are plain words or separators here, and
 * an unbalanced quote is ignored. The engines only ever receive the terms built from this.
 */

/** One required term: a word or a phrase (words in order); `prefix` applies to its last word. */
export interface SearchTerm {
  words: string[];
  prefix: boolean;
}

/** More terms than anyone types; bounds the size of the generated query. */
export const MAX_SEARCH_TERMS = 16;

const WORD = /[\p{L}\p{N}]+(\*)?/gu;

function termsOf(text: string, phrase: boolean): SearchTerm[] {
  const found = [...text.matchAll(WORD)].map((match) => ({
    word: match[0].replace(/\*$/, '').toLowerCase(),
    prefix: match[1] !== undefined,
  }));
  if (found.length === 0) return [];
  if (phrase) {
    return [{ words: found.map((item) => item.word), prefix: found[found.length - 1]?.prefix ?? false }];
  }
  return found.map((item) => ({ words: [item.word], prefix: item.prefix }));
}

/**
 * The terms of a query; an empty list when it holds no word at all (only punctuation).
 * Duplicated terms are kept once.
 */
export function parseSearchQuery(query: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  let rest = query;
  while (rest.length > 0) {
    const open = rest.indexOf('"');
    const close = open < 0 ? -1 : rest.indexOf('"', open + 1);
    if (close < 0) {
      terms.push(...termsOf(rest.replaceAll('"', ' '), false));
      break;
    }
    terms.push(...termsOf(rest.slice(0, open), false), ...termsOf(rest.slice(open + 1, close), true));
    rest = rest.slice(close + 1);
  }
  const seen = new Set<string>();
  return terms.filter((term) => {
    const key = `${term.words.join(' ')}${term.prefix ? '*' : ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** The FTS5 query of the terms: each a quoted phrase (words hold no quote), all required. */
export function fts5Query(terms: SearchTerm[], columns: readonly string[]): string {
  const phrases = terms.map((term) => `"${term.words.join(' ')}"${term.prefix ? ' *' : ''}`).join(' AND ');
  return `{${columns.join(' ')}} : (${phrases})`;
}

/**
 * The tsquery text of a prefix term for `to_tsquery`: words joined by the followed-by operator,
 * the last marked as a prefix. Safe because words are letters and digits only.
 */
export function tsqueryPrefixText(term: SearchTerm): string {
  return `${term.words.join(' <-> ')}:*`;
}
