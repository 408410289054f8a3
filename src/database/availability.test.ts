import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDatabaseUnavailable, isUniqueViolation } from './availability.ts';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isDatabaseUnavailable', () => {
  it('recognises a server that is away, stopping, starting or lost mid-query', () => {
    for (const error of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('read ECONNRESET', 'ECONNRESET'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('sorry, too many clients already', '53300'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('timeout exceeded when trying to connect'),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
    ]) {
      assert.equal(isDatabaseUnavailable(error), true, error.message);
    }
  });

  it('leaves query errors and non-errors alone', () => {
    for (const error of [
      withCode('duplicate key value violates unique constraint', '23505'),
      withCode('invalid byte sequence for encoding "UTF8": 0x00', '22021'),
      withCode('database is locked', 'SQLITE_BUSY'),
      new Error('boom'),
      'ECONNREFUSED',
      null,
    ]) {
      assert.equal(isDatabaseUnavailable(error), false, String(error));
    }
  });
});

describe('isUniqueViolation', () => {
  it('recognises a duplicate key on either dialect', () => {
    for (const error of [
      withCode('duplicate key value violates unique constraint "users_email_key"', '23505'),
      withCode('UNIQUE constraint failed: users.email', 'SQLITE_CONSTRAINT_UNIQUE'),
      withCode('UNIQUE constraint failed: users.id', 'SQLITE_CONSTRAINT_PRIMARYKEY'),
    ]) {
      assert.equal(isUniqueViolation(error), true, error.message);
    }
  });

  it('leaves other constraint failures and non-errors alone', () => {
    for (const error of [
      withCode('insert or update violates foreign key constraint', '23503'),
      withCode('FOREIGN KEY constraint failed', 'SQLITE_CONSTRAINT_FOREIGNKEY'),
      withCode('null value in column violates not-null constraint', '23502'),
      new Error('boom'),
      '23505',
      null,
    ]) {
      assert.equal(isUniqueViolation(error), false, String(error));
    }
  });
});
