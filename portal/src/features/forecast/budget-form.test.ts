import { describe, expect, it } from 'vitest';
import { ApiProblem } from '../../api/problem.ts';
import { budgetBody, NEW_BUDGET, parseThresholds, serverErrors, validateBudget } from './budget-form.ts';

describe('budget form', () => {
  it('reads thresholds as percentages, sorted and without repeats', () => {
    expect(parseThresholds('80, 50 100%')).toEqual([0.5, 0.8, 1]);
    expect(parseThresholds('')).toEqual([]);
    expect(parseThresholds('50, 50')).toEqual([0.5]);
    expect(parseThresholds('0')).toMatch(/above 0/);
    expect(parseThresholds('abc')).toMatch(/percentage/);
    expect(parseThresholds('1 2 3 4 5 6 7 8 9 10 11')).toMatch(/At most 10/);
  });

  it('asks for a name and a positive limit', () => {
    expect(validateBudget(NEW_BUDGET)).toEqual({
      name: 'Give the budget a name',
      monthly_limit: 'Enter a monthly limit above 0',
    });
    expect(validateBudget({ ...NEW_BUDGET, name: 'Prod', monthlyLimit: '2000000000' })).toEqual({
      monthly_limit: 'At most 1,000,000,000',
    });
    expect(validateBudget({ ...NEW_BUDGET, name: 'Prod', monthlyLimit: '5000' })).toEqual({});
  });

  it('builds the body the API takes, services only when some are chosen', () => {
    expect(budgetBody({ ...NEW_BUDGET, name: ' Prod ', monthlyLimit: '5000' })).toEqual({
      name: 'Prod',
      monthly_limit: 5000,
      thresholds: [0.5, 0.8, 1],
      basis: 'both',
    });
    expect(budgetBody({ ...NEW_BUDGET, name: 'Db', monthlyLimit: '10', services: ['RDS'] }).services).toEqual(['RDS']);
  });

  it('puts the server refusals on their fields', () => {
    const problem = new ApiProblem(400, {
      detail: 'Invalid',
      errors: [
        { field: 'thresholds.1', message: 'must be at most 10' },
        { field: '/monthly_limit', message: 'must be positive' },
        { field: 'other', message: 'ignored' },
      ],
    });
    expect(serverErrors(problem)).toEqual({ thresholds: 'must be at most 10', monthly_limit: 'must be positive' });
  });
});
