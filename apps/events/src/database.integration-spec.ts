import { describeServiceMigrations } from '@up/testing';
import { EVENTS_DATABASE } from './database';

describeServiceMigrations(EVENTS_DATABASE, { table: 'events.events' }, (db) => {
  it('refuses more seats than the capacity, whatever the code above it does', async () => {
    await expect(
      db().dataSource.query(
        `INSERT INTO events.events (title, start_date, capacity, seats_taken, creator_id, timezone)
         VALUES ('x', now() + interval '1 day', 1, 2, gen_random_uuid(), 'UTC')`,
      ),
    ).rejects.toMatchObject({ code: '23514' });
  });
});
