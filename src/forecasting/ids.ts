import type { Brand } from '../database/ids.ts';
import { prefixedId } from '../database/ids.ts';

/** An import job's `imp_…` id. */
export type ImportId = Brand<string, 'ImportId'>;
/** A budget's `bud_…` id. */
export type BudgetId = Brand<string, 'BudgetId'>;
/** An anomaly's `anm_…` id. */
export type AnomalyId = Brand<string, 'AnomalyId'>;

export const newImportId = (now: Date): ImportId => prefixedId('imp', now.getTime()) as ImportId;
export const newBudgetId = (now: Date): BudgetId => prefixedId('bud', now.getTime()) as BudgetId;
export const newAnomalyId = (now: Date): AnomalyId => prefixedId('anm', now.getTime()) as AnomalyId;
