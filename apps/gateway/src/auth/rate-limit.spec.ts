import 'reflect-metadata';
import { RequestMethod, Type } from '@nestjs/common';
import {
  GUARDS_METADATA,
  METHOD_METADATA,
  MODULE_METADATA,
  PATH_METADATA,
} from '@nestjs/common/constants';
import { AppModule } from '../app.module';
import { GatewayConfig } from '../config/gateway.config';
import { AccessTokenGuard } from './access-token.guard';
import {
  clientKey,
  MEMBER_RATE_LIMITS,
  RATE_LIMITS,
  RateLimitGuard,
  rateLimitThrottlers,
} from './rate-limit';

/** @nestjs/throttler's SkipThrottle metadata key prefix (THROTTLER_SKIP, not exported). */
const THROTTLER_SKIP = 'THROTTLER:SKIP';
const READS = new Set<RequestMethod>([
  RequestMethod.GET,
  RequestMethod.HEAD,
  RequestMethod.OPTIONS,
]);

interface Route {
  name: string;
  controller: Type;
  handler: (...args: unknown[]) => unknown;
  method: RequestMethod;
}

/** Every route of the gateway's feature modules, found the way Nest finds them. */
function routesOf(module: Type): Route[] {
  const modules = (Reflect.getMetadata(MODULE_METADATA.IMPORTS, module) ?? []) as Type[];
  return modules.flatMap((feature) => {
    const controllers = (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, feature) ?? []) as Type[];
    return controllers.flatMap((controller) => {
      const prototype = controller.prototype as Record<string, (...args: unknown[]) => unknown>;
      return Object.getOwnPropertyNames(prototype)
        .filter((key) => key !== 'constructor')
        .map((key) => ({ key, handler: prototype[key] }))
        .filter(({ handler }) => Reflect.hasMetadata(PATH_METADATA, handler))
        .map(({ key, handler }) => ({
          name: `${controller.name}.${key}`,
          controller,
          handler,
          method: Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod,
        }));
    });
  });
}

/** The limits a route counts against: those its SkipThrottle metadata does not skip. */
function limitsOf(route: Route): string[] {
  return RATE_LIMITS.filter(
    (name) =>
      Reflect.getMetadata(`${THROTTLER_SKIP}${name}`, route.handler) !== true &&
      Reflect.getMetadata(`${THROTTLER_SKIP}${name}`, route.controller) !== true &&
      guardsOf(route).includes(RateLimitGuard),
  );
}

function guardsOf(route: Route): unknown[] {
  return [
    ...((Reflect.getMetadata(GUARDS_METADATA, route.controller) ?? []) as unknown[]),
    ...((Reflect.getMetadata(GUARDS_METADATA, route.handler) ?? []) as unknown[]),
  ];
}

describe('rate limits', () => {
  const routes = routesOf(AppModule);
  const writes = routes.filter((route) => !READS.has(route.method));

  it('finds the routes of every feature module', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(writes.map((route) => route.name)).toEqual(
      expect.arrayContaining([
        'SignInController.refresh',
        'EventsController.join',
        'AdminUsersController.update',
      ]),
    );
  });

  it('limits every write route (every route but GET), so a new one cannot be forgotten', () => {
    const unlimited = writes.filter((route) => limitsOf(route).length === 0).map((r) => r.name);
    expect(unlimited).toEqual([]);
  });

  it('limits every sign-in route', () => {
    const limits = Object.fromEntries(routes.map((route) => [route.name, limitsOf(route)]));
    expect(limits).toMatchObject({
      'SignInController.register': ['register'],
      'SignInController.token': ['token'],
      'SignInController.refresh': ['refresh'],
      'SignInController.logout': ['logout'],
      'SignInController.callback': ['callback'],
      'SignInController.generateCode': ['generate_code'],
      'SignInController.telegramLogin': ['telegram'],
    });
  });

  it('checks the access token before a per-member limit counts, whatever the decorator order', () => {
    const memberLimited = routes.filter((route) =>
      limitsOf(route).some((name) => MEMBER_RATE_LIMITS.includes(name as never)),
    );
    expect(memberLimited.length).toBeGreaterThan(5);
    for (const route of memberLimited) {
      const guards = guardsOf(route);
      expect(guards.indexOf(AccessTokenGuard)).toBeGreaterThanOrEqual(0);
      expect(guards.indexOf(AccessTokenGuard)).toBeLessThan(guards.indexOf(RateLimitGuard));
    }
  });

  it('takes every limit from the configuration', () => {
    const config = new GatewayConfig();
    const throttlers = rateLimitThrottlers(config);
    expect(throttlers.map((t) => t.name)).toEqual([...RATE_LIMITS]);
    const raised = Object.assign(new GatewayConfig(), {
      ...Object.fromEntries(
        Object.keys(config)
          .filter((key) => /^RATE_LIMIT_.*_PER_(MINUTE|HOUR)$/.test(key))
          .map((key) => [key, 1_000_000]),
      ),
    });
    for (const throttler of rateLimitThrottlers(raised)) {
      expect({ name: throttler.name, limit: throttler.limit }).toEqual({
        name: throttler.name,
        limit: 1_000_000,
      });
    }
  });

  describe(clientKey.name, () => {
    it('counts IPv6 clients by their /64 network', () => {
      const a = clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 64);
      expect(a).toBe(clientKey('2001:db8:1:2::1', 64));
      expect(a).toBe(clientKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff', 64));
      expect(a).not.toBe(clientKey('2001:db8:1:3::1', 64));
    });

    it('counts IPv4 addresses (also IPv4-mapped IPv6 ones) one by one', () => {
      expect(clientKey('203.0.113.7', 64)).toBe('ip:203.0.113.7');
      expect(clientKey('::ffff:203.0.113.7', 64)).toBe('ip:203.0.113.7');
      expect(clientKey('203.0.113.8', 64)).not.toBe(clientKey('203.0.113.7', 64));
    });

    it('follows the configured IPv6 prefix', () => {
      expect(clientKey('2001:db8:1:2::1', 48)).toBe(clientKey('2001:db8:1:ffff::1', 48));
      expect(clientKey('2001:db8:1:2::1', 128)).not.toBe(clientKey('2001:db8:1:2::2', 128));
    });
  });
});
