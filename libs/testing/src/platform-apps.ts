import { join } from 'node:path';
import type { DynamicModule, INestApplicationContext, Type } from '@nestjs/common';
import type { CommonEnv } from '@up/config';

export const PLATFORM_APPS = ['gateway', 'users', 'auth-codes', 'events', 'bot'] as const;
export type PlatformAppName = (typeof PLATFORM_APPS)[number];

/** The bus services: each answers `<service>.health` and can run several replicas. */
export const PLATFORM_SERVICES = ['users', 'auth-codes', 'events'] as const;

const WORKSPACE_ROOT = join(__dirname, '..', '..', '..');

/** Where each app's pieces live, by the layout every app follows. */
const CONFIG_CLASS: Record<PlatformAppName, string> = {
  gateway: 'GatewayConfig',
  users: 'UsersConfig',
  'auth-codes': 'AuthCodesConfig',
  events: 'EventsConfig',
  bot: 'BotConfig',
};

export interface AppModuleClass {
  forRoot(config: object): DynamicModule;
}

/** An app's sources as the harness uses them. */
export interface AppSources {
  configSchema: Type<CommonEnv>;
  appModule: AppModuleClass;
}

export type CreateGatewayApp = (config: object) => Promise<
  INestApplicationContext & {
    listen(options: { port: number; host: string }): Promise<unknown>;
    getUrl(): Promise<string>;
  }
>;

async function loadExport(file: string, name: string): Promise<unknown> {
  // A computed path: libs may not import apps (module boundaries), and the harness needs the real
  // AppModules, so it loads them at run time by the layout every app follows.
  const module = (await import(join(WORKSPACE_ROOT, file))) as Record<string, unknown>;
  const value = module[name];
  if (value === undefined) throw new Error(`${file} does not export ${name}`);
  return value;
}

export async function loadAppSources(app: PlatformAppName): Promise<AppSources> {
  const configSchema = await loadExport(`apps/${app}/src/config/${app}.config`, CONFIG_CLASS[app]);
  const appModule = await loadExport(`apps/${app}/src/app.module`, 'AppModule');
  if (typeof (appModule as Partial<AppModuleClass>).forRoot !== 'function') {
    throw new Error(`apps/${app}/src/app.module: AppModule.forRoot(config) is missing`);
  }
  return { configSchema: configSchema as Type<CommonEnv>, appModule: appModule as AppModuleClass };
}

/** The gateway's bootstrap (the same HTTP stack main.ts runs). */
export async function loadCreateGatewayApp(): Promise<CreateGatewayApp> {
  return (await loadExport('apps/gateway/src/bootstrap', 'createGatewayApp')) as CreateGatewayApp;
}
