import type { DataSourceOptions, MixedList, EntitySchema } from 'typeorm';
import { DatabaseEnv } from '@up/config';

export interface ServiceDatabase {
  /** The PostgreSQL schema the service owns (`users`, `events`, `auth`). */
  schema: string;
  // TypeORM's own types for entity and migration lists.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * DataSource options of one service, shared by the Nest module, the migrate command and the
 * TypeORM CLI, so all three see the same schema, entities and migrations.
 */
export function dataSourceOptions(
  config: Pick<DatabaseEnv, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>,
  db: ServiceDatabase,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.DATABASE_URL,
    schema: db.schema,
    entities: db.entities,
    migrations: db.migrations,
    migrationsTableName: `${db.schema}_migrations`,
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Migrations own the schema, extensions included; UUID defaults are gen_random_uuid(), built
    // into PostgreSQL 13+, so TypeORM need not install uuid-ossp on every connect.
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    extra: { max: config.DATABASE_POOL_SIZE },
  };
}
