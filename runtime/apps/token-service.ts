/**
 * API tokens: a high-entropy secret shown once, stored as its SHA-256 (a lookup by hash needs no
 * constant-time compare: the hash of a guess reveals nothing about the stored ones).
 */
import { hash } from 'node:crypto';
import { DomainError } from '../domain/errors';
import type { Clock, Store } from '../domain/ports';
import { type ApiToken, type CreatedToken, CreateTokenRequest, type Scope, type TokenView } from '../domain/tokens';
import { parseOrThrow } from '../domain/validation';
import { ExpiringCache } from './expiring-cache';
import { type IdGenerator, randomIds } from './ids';
import { type Principal, requireScope } from './principal';

const ADMIN_TOKEN_NAME = 'admin';
const METRICS_TOKEN_NAME = 'metrics';

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

function summary(token: ApiToken): TokenView {
  const { secretHash: _hidden, ...rest } = token;
  void _hidden;
  return rest;
}

export class TokenService {
  private readonly ids: IdGenerator;

  /** Recently authenticated tokens by secret hash: every request authenticates, most with a token seen just before. */
  private readonly recent: ExpiringCache<string, Principal>;

  constructor(
    private readonly deps: {
      store: Store;
      clock: Clock;
      ids?: IdGenerator;
      /**
       * How long an authenticated token is trusted without reading the store again. A revocation
       * through this runtime applies at once; one made through another replica within this time.
       * @default 2000
       */
      authCacheMs?: number;
    },
  ) {
    this.ids = deps.ids ?? randomIds;
    this.recent = new ExpiringCache(deps.clock, deps.authCacheMs ?? 2000);
  }

  /** The principal of a bearer secret, or undefined when it is unknown or revoked. */
  async authenticate(secret: string): Promise<Principal | undefined> {
    if (secret.length === 0 || secret.length > 512) return undefined;
    return this.authenticateHash(hashSecret(secret));
  }

  /** The principal of a secret known by its hash (a browser session keeps only the hash). */
  async authenticateHash(hash: string): Promise<Principal | undefined> {
    const cached = this.recent.get(hash);
    if (cached) return cached;
    const token = await this.deps.store.findTokenByHash(hash);
    if (!token || token.revokedAt !== undefined) return undefined;
    const principal = summary(token);
    this.recent.set(hash, principal);
    return principal;
  }

  /** Creates a token; its secret is in the answer and nowhere else. */
  async create(body: unknown, actor?: Principal): Promise<CreatedToken> {
    if (actor) requireScope(actor, 'tokens:manage');
    const request = parseOrThrow(CreateTokenRequest, body);
    return this.insert({ ...request, scopes: [...new Set(request.scopes)] }, this.ids.tokenSecret());
  }

  async list(actor?: Principal): Promise<TokenView[]> {
    if (actor) requireScope(actor, 'tokens:manage');
    return (await this.deps.store.listTokens()).map(summary);
  }

  async revoke(id: string, actor?: Principal): Promise<void> {
    if (actor) requireScope(actor, 'tokens:manage');
    const found = await this.deps.store.revokeToken(id, this.deps.clock.now().toISOString());
    if (!found) throw new DomainError('RESOURCE_NOT_FOUND', `Couldn't find token with ID: ${id}`);
    this.recent.deleteWhere((principal) => principal.id === id);
  }

  /**
   * Makes sure an admin token exists. With `secretFromEnv` (SPARKPLANE_ADMIN_TOKEN) that secret
   * is registered if it is not yet; otherwise, on the first start only, a secret is generated and
   * returned so the caller can show it once (`generated: true`; a secret from the environment is
   * never to be printed). Returns undefined when nothing new was created.
   */
  async ensureAdminToken(
    secretFromEnv?: string,
  ): Promise<{ id: string; secret: string; generated: boolean } | undefined> {
    if (secretFromEnv !== undefined) {
      const created = await this.registerFromEnv('SPARKPLANE_ADMIN_TOKEN', ADMIN_TOKEN_NAME, 'admin', secretFromEnv);
      return created && { id: created.id, secret: secretFromEnv, generated: false };
    }
    const tokens = await this.deps.store.listTokens();
    if (tokens.some((t) => t.revokedAt === undefined && t.scopes.includes('admin'))) return undefined;
    const created = await this.insert({ name: ADMIN_TOKEN_NAME, scopes: ['admin'] }, this.ids.tokenSecret());
    return { id: created.id, secret: created.secret, generated: true };
  }

  /**
   * Registers SPARKPLANE_METRICS_TOKEN as a token that may only scrape /metrics, so a platform can
   * hand Prometheus a secret it created before the runtime ran. Returns undefined when it was known.
   */
  async ensureMetricsToken(secretFromEnv: string): Promise<TokenView | undefined> {
    return this.registerFromEnv('SPARKPLANE_METRICS_TOKEN', METRICS_TOKEN_NAME, 'metrics:read', secretFromEnv);
  }

  private async registerFromEnv(
    variable: string,
    name: string,
    scope: Scope,
    secret: string,
  ): Promise<TokenView | undefined> {
    if (secret.length < 16) {
      throw new DomainError('VALIDATION_FAILED', `${variable} must be at least 16 characters`, [
        { path: variable, message: `a secret of ${secret.length} characters is too short: expected >= 16` },
      ]);
    }
    if (await this.deps.store.findTokenByHash(hashSecret(secret))) return undefined;
    const { secret: _shown, ...created } = await this.insert({ name, scopes: [scope] }, secret);
    void _shown;
    return created;
  }

  private async insert(
    fields: Pick<ApiToken, 'name' | 'scopes' | 'clusterIds' | 'jobIds' | 'templateIds'>,
    secret: string,
  ): Promise<CreatedToken> {
    const token: ApiToken = {
      id: this.ids.tokenId(),
      name: fields.name,
      secretHash: hashSecret(secret),
      scopes: fields.scopes,
      ...(fields.clusterIds ? { clusterIds: fields.clusterIds } : {}),
      ...(fields.jobIds ? { jobIds: fields.jobIds } : {}),
      ...(fields.templateIds ? { templateIds: fields.templateIds } : {}),
      createdAt: this.deps.clock.now().toISOString(),
    };
    await this.deps.store.insertToken(token);
    return { ...summary(token), secret };
  }
}
