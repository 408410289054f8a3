import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { systemClock } from '../config/clock.ts';
import { createTestDatabase, TEST_DIALECTS } from '../testing/database.ts';
import type { TestDatabase } from '../testing/database.ts';
import { hashPassword, needsRehash, OWASP_SCRYPT, verifyPassword } from './secrets.ts';
import { createIdentityService } from './service.ts';
import { createMemoryLiveFeed } from '../realtime/live-feed.ts';

describe('password hashes', () => {
  it("use OWASP's scrypt parameters by default and record them in the hash", async () => {
    assert.deepEqual(OWASP_SCRYPT, { N: 2 ** 17, r: 8, p: 1 });
    const hash = await hashPassword('correct horse battery staple');
    assert.match(hash, /^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.equal(await verifyPassword('correct horse battery staple', hash), true);
    assert.equal(needsRehash(hash), false);
  });

  it('verify with the parameters stored in the hash and refuse malformed or oversized ones', async () => {
    const old = await hashPassword('an older password', { N: 2 ** 10, r: 8, p: 1 });
    assert.equal(await verifyPassword('an older password', old), true);
    assert.equal(needsRehash(old), true);
    assert.equal(await verifyPassword('x', 'scrypt$abc$8$1$AAAA$AAAA'), false);
    assert.equal(await verifyPassword('x', `scrypt$${2 ** 24}$8$1$AAAA$AAAA`), false);
    assert.equal(await verifyPassword('x', 'bcrypt$whatever'), false);
  });
});

for (const dialect of TEST_DIALECTS) {
  describe(`password rehash at login on ${dialect}`, () => {
    let database: TestDatabase;
    before(async () => {
      database = await createTestDatabase(dialect);
    });
    after(async () => database.destroy());

    it('replaces a hash with outdated parameters at the next successful login, once', async () => {
      const before = createIdentityService({
        db: database.db,
        clock: systemClock,
        sessionTtlHours: 1,
        liveFeed: createMemoryLiveFeed(),
        passwordHashing: { N: 2 ** 10, r: 8, p: 1 },
      });
      const { user } = await before.createStaff({
        email: 'rehash@securebase.test',
        name: 'Rehash',
        role: 'agent',
        password: 'the first password',
      });
      const stored = async () =>
        (
          await database.db
            .selectFrom('users')
            .select('password_hash')
            .where('id', '=', user.id)
            .executeTakeFirstOrThrow()
        ).password_hash as string;
      assert.match(await stored(), /^scrypt\$1024\$/);

      const after = createIdentityService({
        db: database.db,
        clock: systemClock,
        sessionTtlHours: 1,
        liveFeed: createMemoryLiveFeed(),
        passwordHashing: { N: 2 ** 11, r: 8, p: 1 },
      });
      await assert.rejects(
        after.login({ email: 'rehash@securebase.test', password: 'a wrong password', ip: null, userAgent: null }),
      );
      assert.match(await stored(), /^scrypt\$1024\$/, 'a failed login changes nothing');
      await after.login({ email: 'rehash@securebase.test', password: 'the first password', ip: null, userAgent: null });
      const rehashed = await stored();
      assert.match(rehashed, /^scrypt\$2048\$8\$1\$/);
      await after.login({ email: 'rehash@securebase.test', password: 'the first password', ip: null, userAgent: null });
      assert.equal(await stored(), rehashed, 'an up-to-date hash is left alone');
    });
  });
}

describe('password hashing and transactions', () => {
  it('is refused inside a database transaction (it would hold up every group mate)', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      const cheap = { N: 2 ** 10, r: 8, p: 1 };
      const hash = await hashPassword('outside is fine', cheap);
      await assert.rejects(
        database.db.transaction().execute(() => hashPassword('inside is not', cheap)),
        /password hashing/,
      );
      await assert.rejects(
        database.db.transaction().execute(() => verifyPassword('outside is fine', hash)),
        /password verification/,
      );
    } finally {
      await database.destroy();
    }
  });
});
