import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import type { Page } from '../database/pagination.ts';

/** Query-string fields every list accepts. */
export const PageQuery = {
  limit: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 100, default: 50, description: 'Page size (1–100)', examples: [50] }),
  ),
  cursor: Type.Optional(
    Type.String({ maxLength: 512, description: 'Opaque cursor from `next_cursor` of the previous page' }),
  ),
};

/** The list envelope `{<collection>: [...], next_cursor, has_more}` of api.md. */
export function PageOf<Name extends string, Item extends TSchema>(name: Name, item: Item) {
  return Type.Object({
    [name]: Type.Array(item, { description: 'This page of results' }),
    next_cursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `cursor` to get the next page' }),
    has_more: Type.Boolean({ description: 'True when another page follows' }),
  } as { [K in Name]: ReturnType<typeof Type.Array<Item>> } & {
    next_cursor: ReturnType<typeof Type.Union<[ReturnType<typeof Type.String>, ReturnType<typeof Type.Null>]>>;
    has_more: ReturnType<typeof Type.Boolean>;
  });
}

/** The list envelope of api.md, `{<name>: [...], next_cursor, has_more}`, from a page of rows. */
export function listEnvelope<Name extends string, Row, View>(
  name: Name,
  page: Page<Row>,
  present: (row: Row) => View,
): Record<Name, View[]> & Omit<Page<Row>, 'items'> {
  return { [name]: page.items.map(present), next_cursor: page.next_cursor, has_more: page.has_more } as Record<
    Name,
    View[]
  > &
    Omit<Page<Row>, 'items'>;
}
