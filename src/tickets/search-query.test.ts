import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import fc from 'fast-check';
import { fts5Query, MAX_SEARCH_TERMS, parseSearchQuery, tsqueryPrefixText } from './search-query.ts';

// Characters that mean something to FTS5 or tsquery, mixed into generated input.
const SYNTAX = fc.constantFrom('"', '*', '(', ')', ':', '^', '-', '+', '{', '}', '&', '|', '!', '<', '>', "'", '\\');
const WORDS = fc.constantFrom('NEAR', 'AND', 'OR', 'NOT', 'near/2', 'edge', 'Ünïcode', '東京', '42', 'subject');
const input = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.array(fc.oneof(SYNTAX, WORDS, fc.constant(' ')), { maxLength: 20 }).map((parts) => parts.join('')),
);

describe('search query parsing', () => {
  it('reads words, phrases and prefixes; operators are words, punctuation separates', () => {
    const cases: [string, Array<[string, boolean]>][] = [
      [
        'SSO login',
        [
          ['sso', false],
          ['login', false],
        ],
      ],
      [
        '"error 500" gate*',
        [
          ['error 500', false],
          ['gate', true],
        ],
      ],
      [
        'NEAR(a OR b)',
        [
          ['near', false],
          ['a', false],
          ['or', false],
          ['b', false],
        ],
      ],
      [
        '"unbalanced phrase',
        [
          ['unbalanced', false],
          ['phrase', false],
        ],
      ],
      [
        'subject:secret -x',
        [
          ['subject', false],
          ['secret', false],
          ['x', false],
        ],
      ],
      ['"a b*"', [['a b', true]]],
      [
        'dup DUP dup*',
        [
          ['dup', false],
          ['dup', true],
        ],
      ],
      ['*** "" ()', []],
    ];
    for (const [query, expected] of cases) {
      const terms = parseSearchQuery(query).map((term): [string, boolean] => [term.words.join(' '), term.prefix]);
      assert.deepEqual(terms, expected, query);
    }
  });

  it('builds FTS5 queries that SQLite always accepts, from any input', () => {
    const db = new SQLite(':memory:');
    db.exec("create virtual table s using fts5(subject, description, comments, internal, tokenize = 'unicode61')");
    db.exec("insert into s values ('edge of the map', 'near 42', '東京', 'secret')");
    const search = db.prepare('select rowid from s where s match ?');
    fc.assert(
      fc.property(input, (query) => {
        const terms = parseSearchQuery(query).slice(0, MAX_SEARCH_TERMS);
        for (const term of terms) {
          assert.ok(term.words.length > 0);
          for (const word of term.words) assert.match(word, /^[\p{L}\p{N}]+$/u);
          assert.match(tsqueryPrefixText(term), /^[\p{L}\p{N}]+( <-> [\p{L}\p{N}]+)*:\*$/u);
        }
        if (terms.length === 0) return;
        search.all(fts5Query(terms, ['subject', 'description', 'comments']));
        search.all(fts5Query(terms, ['subject', 'description', 'comments', 'internal']));
      }),
      { numRuns: 2000 },
    );
    db.close();
  });
});
