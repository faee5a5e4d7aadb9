// The gateway's authentication API for other features' controllers.
export * from './access-token.module';
export * from './access-token.service';
export * from './access-token.guard';
export * from './auth.decorators';
export * from './authenticated-member';
export * from './auth.module';
export * from './member-standings';
export * from './standing.guard';
export * from './rate-limit';
