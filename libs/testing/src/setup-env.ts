// Loaded by every Jest project before its tests: quiet logs, test mode.
process.env.NODE_ENV = 'test';
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
