/**
 * Checks a batch of cost records (the body of `POST /v1/cost/records`) and turns it into the rows
 * `writeDailyCosts` stores. Pure: `today` comes from the caller's clock. Every problem is reported
 * with its field path (`records.3.currency`, the path style of the schema validation), all at once,
 * so a client can fix a whole batch in one round.
 */
import type { FieldError } from '../../errors/app-error.ts';
import { parseDate } from '../engine/calendar.ts';
import { parseDecimal, toMicros } from '../money.ts';
import type { DailyCost } from './store.ts';
import { addDays } from '../days.ts';

/** One record as the API receives it (the schema has checked the types). */
export interface RecordInput {
  date: string;
  service: string;
  account_id?: string | undefined;
  region?: string | undefined;
  tags?: Record<string, string> | undefined;
  amount: number | string;
  currency: string;
}

/** A checked batch: its single currency and the rows to store. */
export interface CheckedBatch {
  currency: string;
  rows: DailyCost[];
}

/** Field errors reported per batch: enough to fix a file, not a response of megabytes. */
const MAX_ERRORS = 100;
/** The earliest day accepted: older data is a typo, not cost history. */
const EARLIEST_DATE = '2000-01-01';
/**
 * Days after today (UTC) a record may carry: a tenant's calendar day runs up to 14 hours ahead of
 * UTC, so its "today" can be UTC's tomorrow; anything later has not happened yet.
 */
const FUTURE_DAYS = 1;
const CURRENCY = /^[A-Z]{3}$/;

function isRealDate(date: string): boolean {
  try {
    parseDate(date);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks the batch. Returns the rows or the field errors. A batch has one currency, the tenant's
 * (`tenantCurrency`, null before its first record); the same (date, service, account_id, region)
 * twice in one batch is refused naming both positions — re-sending replaces a day, so two values
 * for one key in one request are a contradiction, not something to add up.
 */
export function checkBatch(
  records: readonly RecordInput[],
  today: string,
  tenantCurrency: string | null,
): { ok: true; batch: CheckedBatch } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const report = (field: string, message: string) => {
    if (errors.length < MAX_ERRORS) errors.push({ field, message });
  };
  const latest = addDays(today, FUTURE_DAYS);
  const currency = tenantCurrency ?? records[0]?.currency.trim().toUpperCase() ?? '';
  const seen = new Map<string, number>();
  const rows: DailyCost[] = [];
  records.forEach((record, index) => {
    const at = `records.${index}`;
    const before = errors.length;
    if (!isRealDate(record.date)) report(`${at}.date`, 'must be a real calendar day, YYYY-MM-DD');
    else if (record.date < EARLIEST_DATE) report(`${at}.date`, `must be on or after ${EARLIEST_DATE}`);
    else if (record.date > latest) report(`${at}.date`, `must not be after ${latest} (it has not happened yet)`);
    const service = record.service.trim();
    if (service === '') report(`${at}.service`, 'must not be empty');
    const code = record.currency.trim().toUpperCase();
    if (!CURRENCY.test(code)) report(`${at}.currency`, 'must be an ISO 4217 code such as USD');
    else if (code !== currency)
      report(
        `${at}.currency`,
        tenantCurrency
          ? `must be ${tenantCurrency}, the tenant's currency (one currency per tenant)`
          : `must be ${currency} like records.0 (one currency per tenant)`,
      );
    const amount = parseDecimal(record.amount);
    if (amount === null) report(`${at}.amount`, 'must be a decimal amount such as 12.34 (at most 1e9 in size)');
    const accountId = record.account_id?.trim() ?? '';
    const region = record.region?.trim() ?? '';
    if (errors.length > before || amount === null) return;
    const key = JSON.stringify([record.date, service, accountId, region]);
    const first = seen.get(key);
    if (first !== undefined) {
      report(at, `has the same date, service, account_id and region as records.${first}; send one value per day`);
      return;
    }
    seen.set(key, index);
    rows.push({
      date: record.date,
      service,
      accountId,
      region,
      tags: record.tags ?? {},
      amountMicros: toMicros(amount),
    });
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, batch: { currency, rows } };
}
