import { DynamicModule, Module, Provider } from '@nestjs/common';
import { ClassConstructor } from 'class-transformer';
import { loadConfig } from './load-config';

/** The schema class and every class it extends (CommonEnv, DatabaseEnv, ...). */
function schemaChain(schema: ClassConstructor<object>): ClassConstructor<object>[] {
  const chain: ClassConstructor<object>[] = [];
  for (let c = schema; c && c !== Object && c.prototype; c = Object.getPrototypeOf(c)) {
    chain.push(c);
  }
  return chain;
}

/**
 * Registers an app's validated configuration as an injectable: inject the schema class itself
 * (`constructor(private readonly config: UsersConfig)`) and read typed fields. The same instance is
 * also injectable as each base schema (CommonEnv, DatabaseEnv), which is how shared libs read it.
 */
@Module({})
export class ConfigModule {
  static forRoot<T extends object>(schema: ClassConstructor<T>, value?: T): DynamicModule {
    const [own, ...bases] = schemaChain(schema);
    const providers: Provider[] = [
      { provide: own, useFactory: () => value ?? loadConfig(schema) },
      ...bases.map((base) => ({ provide: base, useExisting: own })),
    ];
    return {
      module: ConfigModule,
      global: true,
      providers,
      exports: providers.map((p) => (p as { provide: ClassConstructor<object> }).provide),
    };
  }
}
