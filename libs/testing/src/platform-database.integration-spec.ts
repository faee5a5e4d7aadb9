import { Column, Entity, MigrationInterface, PrimaryGeneratedColumn, QueryRunner } from 'typeorm';
import { createMigratedTestDatabase, MigratedTestDatabase } from './platform-database';

@Entity({ schema: 'drift_probe', name: 'things' })
class ThingEntity {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'things_pkey' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;
}

class CreateThings1700000000000 implements MigrationInterface {
  name = 'CreateThings1700000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE drift_probe.things (id uuid NOT NULL DEFAULT gen_random_uuid(), CONSTRAINT things_pkey PRIMARY KEY (id))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE drift_probe.things`);
  }
}

class AddThingName1700000000001 implements MigrationInterface {
  name = 'AddThingName1700000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE drift_probe.things ADD COLUMN name text NOT NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE drift_probe.things DROP COLUMN name`);
  }
}

describe(createMigratedTestDatabase.name, () => {
  let sut: MigratedTestDatabase | undefined;

  afterEach(async () => {
    await sut?.close();
    sut = undefined;
  });

  it('finds no drift when the migrations build exactly what the entities describe', async () => {
    sut = await createMigratedTestDatabase({
      schema: 'drift_probe',
      entities: [ThingEntity],
      migrations: [CreateThings1700000000000, AddThingName1700000000001],
    });

    expect(sut.migrations).toEqual(['CreateThings1700000000000', 'AddThingName1700000000001']);
    await expect(sut.pendingSchemaChanges()).resolves.toEqual([]);
  });

  it('reports the SQL a missing migration would run', async () => {
    sut = await createMigratedTestDatabase({
      schema: 'drift_probe',
      entities: [ThingEntity],
      migrations: [CreateThings1700000000000],
    });

    await expect(sut.pendingSchemaChanges()).resolves.toEqual([
      expect.stringMatching(/ALTER TABLE "drift_probe"."things" ADD "name" text NOT NULL/),
    ]);
  });

  it('drops its database on close', async () => {
    const db = await createMigratedTestDatabase({
      schema: 'drift_probe',
      entities: [],
      migrations: [],
    });
    const probe = db.dataSource;

    await db.close();

    expect(probe.isInitialized).toBe(false);
    await expect(
      createMigratedTestDatabase({ schema: 'drift_probe', entities: [], migrations: [] }).then(
        async (other) => {
          const names = (await other.dataSource.query(
            `SELECT datname FROM pg_database WHERE datname = $1`,
            [db.database.name],
          )) as unknown[];
          await other.close();
          return names;
        },
      ),
    ).resolves.toEqual([]);
  });
});
