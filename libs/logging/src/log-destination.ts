import type { DestinationStream } from 'pino';

let destination: DestinationStream | undefined;

/**
 * Where the loggers of apps booted from now on write their lines: standard output unless a test
 * that runs several apps in one process (the testing lib's platform) reads them itself, to search
 * them (no secret in any line, no unexpected error). Production code never sets it.
 */
export const LogDestination = {
  use(stream: DestinationStream | undefined): void {
    destination = stream;
  },
  current(): DestinationStream | undefined {
    return destination;
  },
};
