/**
 * The baselines of `npm run bench:api`: a bare Fastify server (no Nest, no bus, no hooks, no
 * logging) doing the work of each gateway scenario directly, against the run's PostgreSQL and
 * Redis:
 *
 *   - GET /health: the gateway's liveness JSON.
 *   - GET /api/users/me: the gateway's JWT check (@nestjs/jwt's JwtService over jsonwebtoken,
 *     HS256, the secret as a KeyObject, issuer and audience checked, the same claim checks); with
 *     a matching If-None-Match, one Redis GET of the profile version and a 304; otherwise the users
 *     service's profile read (the same SELECT), its version publish (the same Lua script) and the
 *     same body, ETag, Cache-Control and Vary.
 *   - POST /api/auth/callback?code=: the auth-codes redeem (the same Lua script and ZREM), the
 *     users service's login record (the same statements in one transaction, then the version
 *     publish), the auth-codes refresh-token family (the same statement), an access token signed
 *     as the gateway signs it; the same body.
 *
 * The SQL and the Lua scripts are copies of the services' (their repositories and services say
 * why each is what it is); the bench compares one answer of each side and fails when they differ.
 *
 *   node dist/bench/bench/api-bare-server.js --port 3999 --database-url postgres://... \
 *     --redis-url redis://... --redis-prefix bench_x --jwt-secret <hex>
 */
import { createSecretKey, randomBytes, randomUUID, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { JwtService } from '@nestjs/jwt';
import Fastify, { FastifyReply, FastifyRequest } from 'fastify';
import Redis from 'ioredis';
import { Pool, PoolClient } from 'pg';
import { isMemberRole, profileVersionKey, USER_AGENT_MAX_LENGTH } from '@up/contracts';
import { REDEEM_SCRIPT } from '../apps/auth-codes/src/login-codes/redeem.script';
import { clientNetwork } from '../apps/auth-codes/src/refresh-tokens/client-network';
import { ifNoneMatchMatches, profileETag } from '../apps/gateway/src/members/profile-etag';
import { SET_IF_GREATER } from '../apps/users/src/profile-versions/set-if-greater.script';
import { argValue } from './lib';

const ALGORITHM = 'HS256';
const ISSUER = argValue('jwt-issuer', 'up-club');
const AUDIENCE = argValue('jwt-audience', 'up-club-api');
const ACCESS_TTL = Number(argValue('jwt-access-ttl', '900'));
const REFRESH_TTL_DAYS = Number(argValue('refresh-ttl-days', '30'));
const POOL_SIZE = Number(argValue('pool-size', '10'));
const VERSION_TTL_SECONDS = 7 * 24 * 3600;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** users.members columns of the private profile (MembersRepository.PROFILE_COLUMNS). */
const PROFILE_COLUMNS = `id, telegram_id, username, full_name, first_name, email, email_verified_at,
  photo_url, role, up_coins, referral_code, referred_by, achievements_count, created_at,
  last_login, version, deleted_at, is_active, session_epoch`;
const SELECT_PROFILE = `SELECT ${PROFILE_COLUMNS} FROM users.members WHERE id = $1`;
const RECORD_LOGIN = `UPDATE users.members
    SET last_login = now(), version = version + 1, updated_at = now()
  WHERE id = $1 AND deleted_at IS NULL AND is_active
  RETURNING ${PROFILE_COLUMNS}`;
const START_FAMILY = `WITH session AS (
    INSERT INTO "auth"."sessions" (id, member_id, member_epoch, user_agent, ip_network)
    VALUES ($1, $2, $3, $4, $5)
  )
  INSERT INTO "auth"."refresh_tokens" (token_hash, family_id, member_id, expires_at)
  VALUES ($6, $1, $2, $7)`;

interface BareRedis extends Redis {
  upSetIfGreater(key: string, version: number, ttlSeconds: number): Promise<number>;
  redeemLoginCode(key: string, telegramId: string): Promise<string | 0 | null>;
}

interface ProfileRow {
  id: string;
  telegram_id: string | null;
  username: string | null;
  full_name: string;
  first_name: string | null;
  email: string | null;
  email_verified_at: Date | null;
  photo_url: string | null;
  role: string;
  up_coins: number;
  referral_code: string;
  referred_by: string | null;
  achievements_count: number;
  created_at: Date;
  last_login: Date | null;
  version: number;
  deleted_at: Date | null;
  is_active: boolean;
  session_epoch: number;
}

/** member-views.ts toPrivateProfile, field by field. */
function privateProfile(row: ProfileRow) {
  return {
    id: row.id,
    telegram_id: row.telegram_id === null ? null : Number(row.telegram_id),
    username: row.username,
    full_name: row.full_name,
    first_name: row.first_name,
    email: row.email,
    email_verified: row.email !== null && row.email_verified_at !== null,
    photo_url: row.photo_url,
    role: row.role,
    up_coins: row.up_coins,
    referral_code: row.referral_code,
    referred_by: row.referred_by,
    achievements_count: row.achievements_count,
    created_at: row.created_at.toISOString(),
    last_login: row.last_login === null ? null : row.last_login.toISOString(),
  };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function unauthorized(reply: FastifyReply, message: string) {
  return reply
    .status(401)
    .header('WWW-Authenticate', 'Bearer')
    .send({ statusCode: 401, code: 'UNAUTHENTICATED', message });
}

async function main(): Promise<void> {
  const port = Number(argValue('port', '0'));
  const prefix = argValue('redis-prefix', 'bench');
  const jwt = new JwtService({
    secret: createSecretKey(Buffer.from(argValue('jwt-secret', ''), 'utf8')),
  });
  const databaseUrl = argValue('database-url', '');
  // Two pools as the users and auth-codes services have (DATABASE_POOL_SIZE each).
  const usersDb = new Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  const authDb = new Pool({ connectionString: databaseUrl, max: POOL_SIZE });
  const redisUrl = argValue('redis-url', 'redis://127.0.0.1:6379');
  // The gateway's profile-version client and the services' clients, one each.
  const gatewayRedis = new Redis(redisUrl, { enableAutoPipelining: true });
  const servicesRedis = new Redis(redisUrl) as BareRedis;
  servicesRedis.defineCommand('upSetIfGreater', { numberOfKeys: 1, lua: SET_IF_GREATER });
  servicesRedis.defineCommand('redeemLoginCode', { numberOfKeys: 1, lua: REDEEM_SCRIPT });

  /** AccessTokenService.verify. */
  const verify = (request: FastifyRequest): { id: string; role: string } | undefined => {
    const header = request.headers.authorization;
    if (header === undefined || !header.startsWith('Bearer ')) return undefined;
    let claims: { sub?: unknown; role?: unknown; typ?: unknown; sid?: unknown };
    try {
      claims = jwt.verify(header.slice(7).trim(), {
        algorithms: [ALGORITHM],
        issuer: ISSUER,
        audience: AUDIENCE,
      });
    } catch {
      return undefined;
    }
    const { sub, role, typ, sid } = claims;
    if (
      typ !== 'access' ||
      typeof sub !== 'string' ||
      !UUID.test(sub) ||
      !isMemberRole(role) ||
      (sid !== undefined && (typeof sid !== 'string' || !UUID.test(sid)))
    ) {
      return undefined;
    }
    return { id: sub, role };
  };

  const cacheHeaders = (reply: FastifyReply, etag: string) =>
    reply
      .header('ETag', etag)
      .header('Cache-Control', 'private, max-age=300')
      .header('Vary', 'Authorization');

  const server = Fastify({ logger: false });
  server.get('/health', async () => ({ status: 'ok' }));

  server.get('/api/users/me', async (request, reply) => {
    const member = verify(request);
    if (!member) return unauthorized(reply, 'Invalid or expired access token');
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch !== undefined) {
      const raw = await gatewayRedis.get(profileVersionKey(prefix, member.id));
      const version = raw === null ? Number.NaN : Number(raw);
      if (Number.isSafeInteger(version)) {
        const etag = profileETag(member.id, version);
        if (ifNoneMatchMatches(ifNoneMatch, etag))
          return cacheHeaders(reply, etag).status(304).send();
      }
    }
    const { rows } = await usersDb.query<ProfileRow>(SELECT_PROFILE, [member.id]);
    const row = rows[0];
    if (!row || row.deleted_at !== null) {
      return reply.status(404).send({ statusCode: 404, code: 'MEMBER_NOT_FOUND' });
    }
    await servicesRedis.upSetIfGreater(
      profileVersionKey(prefix, row.id),
      row.version,
      VERSION_TTL_SECONDS,
    );
    const etag = profileETag(member.id, row.version);
    cacheHeaders(reply, etag);
    if (ifNoneMatchMatches(ifNoneMatch, etag)) return reply.status(304).send();
    return reply.send(privateProfile(row));
  });

  server.post('/api/auth/callback', async (request, reply) => {
    const code = (request.query as { code?: unknown }).code;
    if (typeof code !== 'string' || code.length === 0) {
      return reply.status(400).send({ statusCode: 400, code: 'VALIDATION_FAILED' });
    }
    // auth-codes: redeem the code.
    const digest = sha256(code).toString('hex');
    const redeemed = await servicesRedis.redeemLoginCode(`${prefix}:auth:login-code:${digest}`, '');
    if (redeemed === null || redeemed === 0) {
      return reply.status(401).send({
        statusCode: 401,
        code: 'INVALID_AUTH_CODE',
        message: 'Invalid or expired auth code',
      });
    }
    const memberId = redeemed.slice(0, redeemed.indexOf(':'));
    await servicesRedis.zrem(`${prefix}:{auth:codes:${memberId}}`, digest);

    // users: record the login.
    let member: ProfileRow | undefined;
    const client: PoolClient = await usersDb.connect();
    try {
      await client.query('START TRANSACTION');
      member = (await client.query<ProfileRow>(RECORD_LOGIN, [memberId])).rows[0];
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
    if (!member) return reply.status(403).send({ statusCode: 403, code: 'MEMBER_INACTIVE' });
    await servicesRedis.upSetIfGreater(
      profileVersionKey(prefix, member.id),
      member.version,
      VERSION_TTL_SECONDS,
    );

    // auth-codes: start the refresh-token family.
    const userAgent = request.headers['user-agent'];
    const ip = isIP(request.ip) !== 0 ? request.ip : undefined;
    const familyId = randomUUID();
    const refreshToken = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + REFRESH_TTL_DAYS * 24 * 60 * 60 * 1000);
    await authDb.query(START_FAMILY, [
      familyId,
      memberId,
      member.session_epoch,
      typeof userAgent === 'string' && userAgent !== ''
        ? userAgent.slice(0, USER_AGENT_MAX_LENGTH)
        : null,
      clientNetwork(ip),
      sha256(refreshToken),
      expiresAt,
    ]);

    // gateway: the access token.
    const accessToken = jwt.sign(
      { role: member.role, typ: 'access', sid: familyId },
      {
        algorithm: ALGORITHM,
        issuer: ISSUER,
        audience: AUDIENCE,
        subject: member.id,
        expiresIn: ACCESS_TTL,
      },
    );
    const tokens = {
      access_token: accessToken,
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: ACCESS_TTL,
    };
    return reply.send({ token: accessToken, ...tokens, user: privateProfile(member) });
  });

  await server.listen({ port, host: '127.0.0.1' });
  const stop = () =>
    void server
      .close()
      .then(() => Promise.all([usersDb.end(), authDb.end()]))
      .then(() => {
        gatewayRedis.disconnect();
        servicesRedis.disconnect();
        process.exit(0);
      });
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bare server failed: ${String(error)}\n`);
  process.exit(1);
});
