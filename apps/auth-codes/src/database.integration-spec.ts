import { randomBytes, randomUUID } from 'node:crypto';
import { migrate } from '@up/database';
import { describeServiceMigrations } from '@up/testing';
import { AUTH_CODES_DATABASE } from './database';

describeServiceMigrations(AUTH_CODES_DATABASE, { table: 'auth.refresh_tokens' }, (db) => {
  it('gives the families that existed before sessions a session each', async () => {
    const { dataSource } = db();
    // Back to refresh tokens without sessions: undo the session epochs, then the sessions.
    await dataSource.undoLastMigration();
    await dataSource.undoLastMigration();
    const memberId = randomUUID();
    const familyId = randomUUID();
    for (const createdAt of ['2025-01-01T10:00:00Z', '2025-01-03T10:00:00Z']) {
      await dataSource.query(
        `INSERT INTO auth.refresh_tokens (token_hash, family_id, member_id, expires_at, created_at)
         VALUES ($1, $2, $3, now() + interval '20 days', $4)`,
        [randomBytes(32), familyId, memberId, createdAt],
      );
    }
    await migrate(dataSource, AUTH_CODES_DATABASE.schema);

    const sessions: { member_id: string; span: string; user_agent: null }[] =
      await dataSource.query(
        `SELECT member_id, user_agent, (last_used_at - created_at)::text AS span
       FROM auth.sessions WHERE id = $1`,
        [familyId],
      );
    expect(sessions).toEqual([{ member_id: memberId, user_agent: null, span: '2 days' }]);
  });
});
