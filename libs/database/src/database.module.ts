import { DynamicModule, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DatabaseEnv } from '@up/config';
import { dataSourceOptions, ServiceDatabase } from './database-options';
import { ensureDatabase, migrate } from './provision';

/**
 * TypeORM for one service. With DATABASE_MIGRATE_ON_START (the default outside production) the
 * database and schema are created and pending migrations run before the app takes traffic.
 */
@Module({})
export class DatabaseModule {
  static forService(db: ServiceDatabase): DynamicModule {
    const logger = new Logger('Database');
    let migrateOnStart = true;
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [DatabaseEnv],
          useFactory: (config: DatabaseEnv) => {
            migrateOnStart = config.DATABASE_MIGRATE_ON_START;
            return dataSourceOptions(config, db);
          },
          dataSourceFactory: async (options) => {
            if (!options) throw new Error('TypeORM options missing');
            if (migrateOnStart) await ensureDatabase((options as { url: string }).url);
            const dataSource = await new DataSource(options).initialize();
            if (migrateOnStart) {
              const ran = await migrate(dataSource, db.schema);
              if (ran.length > 0)
                logger.log({ schema: db.schema, migrations: ran }, 'migrations ran');
            }
            return dataSource;
          },
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
