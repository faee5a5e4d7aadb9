import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Sentry from '@sentry/nestjs';
import {
  captureUnexpected,
  initErrorTracking,
  isErrorTrackingEnabled,
  packageRelease,
} from './error-tracking';

describe(initErrorTracking.name, () => {
  afterEach(() => jest.restoreAllMocks());

  it('initialises nothing and sends nothing without SENTRY_DSN', () => {
    const init = jest.spyOn(Sentry, 'init');
    const capture = jest.spyOn(Sentry, 'captureException');

    expect(initErrorTracking({ app: 'users', env: { NODE_ENV: 'test' } })).toBe(false);
    captureUnexpected(new Error('boom'));

    expect(isErrorTrackingEnabled()).toBe(false);
    expect(init).not.toHaveBeenCalled();
    expect(capture).not.toHaveBeenCalled();
  });

  it("leaves a malformed SENTRY_DSN to the app's own configuration check", () => {
    const init = jest.spyOn(Sentry, 'init');

    expect(initErrorTracking({ app: 'users', env: { SENTRY_DSN: 'not a url' } })).toBe(false);
    expect(init).not.toHaveBeenCalled();
  });
});

describe(packageRelease.name, () => {
  it('is <name>@<version> of the package in the directory', () => {
    const directory = mkdtempSync(join(tmpdir(), 'release-'));
    writeFileSync(
      join(directory, 'package.json'),
      JSON.stringify({ name: 'up-club', version: '1.2.3' }),
    );

    expect(packageRelease(directory)).toBe('up-club@1.2.3');
  });

  it('is undefined where there is no package.json', () => {
    expect(packageRelease(mkdtempSync(join(tmpdir(), 'release-')))).toBeUndefined();
  });
});
