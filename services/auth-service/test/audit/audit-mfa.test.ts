import { randomBytes } from 'node:crypto';
import { craftAttestation, softwarePasskey } from '@authmeet/test-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, registerAndLogin } from '../factories.js';
import { totp, userWithMfa } from '../mfa-kit.js';
import { startAuthService } from '../test-app.js';
import type { TestContext } from '../test-app.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await startAuthService();
});
afterAll(async () => ctx.close());

const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

describe('the audit trail records second-factor changes', () => {
  it('TOTP on, new recovery codes, passkey renamed and removed, TOTP off: by the user, about the user, with no secret', async () => {
    const who = await userWithMfa(ctx.app);
    const id = who.user.id;
    const auth = bearer(who.tokens.accessToken);
    const publicKey = randomBytes(32);
    const passkey = await ctx.app.prisma.passkey.create({
      data: { userId: id, credentialId: randomBytes(16).toString('base64url'), publicKey, deviceType: 'singleDevice', name: 'Laptop' },
    });

    const regen = await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/recovery-codes', headers: auth, payload: { code: await totp(who.secret) } });
    expect(regen.statusCode, regen.body).toBe(200);
    const freshCodes = regen.json().recoveryCodes as string[];
    const url = `/v1/auth/passkeys/${passkey.id}`;
    const renamed = await ctx.app.inject({ method: 'PATCH', url, headers: auth, payload: { name: 'Work laptop' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const off = await ctx.app.inject({
      method: 'DELETE',
      url: '/v1/auth/mfa/totp',
      headers: auth,
      payload: { password: who.input.password, code: await totp(who.secret, 1) },
    });
    expect(off.statusCode, off.body).toBe(204);
    // MFA is off now: removing a passkey needs no code.
    expect((await ctx.app.inject({ method: 'DELETE', url, headers: auth })).statusCode).toBe(204);

    const types = ['user.mfa_enabled', 'user.recovery_codes_regenerated', 'user.passkey_renamed', 'user.mfa_disabled', 'user.passkey_removed'];
    const events = await ctx.app.prisma.auditEvent.findMany({ where: { targetId: id, type: { in: types } }, orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(types);
    for (const event of events) expect(event).toMatchObject({ outcome: 'success', actorId: id, actorType: 'user', targetId: id });
    expect(events.find((e) => e.type === 'user.passkey_renamed')?.details).toEqual({ passkeyId: passkey.id, name: 'Work laptop' });
    expect(events.find((e) => e.type === 'user.passkey_removed')?.details).toEqual({ passkeyId: passkey.id });

    const everything = json(await ctx.app.prisma.auditEvent.findMany({ where: { targetId: id } }));
    for (const secret of [who.secret, ...who.recoveryCodes, ...freshCodes, publicKey.toString('base64'), publicKey.toString('hex'), publicKey.toString('base64url')]) {
      expect(everything).not.toContain(secret);
    }
  });

  it('a passkey registered through the ceremony is recorded as added, then renamed and removed, never with its key', async () => {
    const { user, tokens } = await registerAndLogin(ctx.app);
    const auth = bearer(tokens.accessToken);
    const key = softwarePasskey();
    const register = async () => {
      const options = await ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/options', headers: auth });
      expect(options.statusCode, options.body).toBe(200);
      const { challenge, rp } = options.json() as { challenge: string; rp: { id: string } };
      const response = craftAttestation({ ...key, rpId: rp.id, origin: 'https://app.example.com', challenge });
      return ctx.app.inject({ method: 'POST', url: '/v1/auth/passkeys/register/verify', headers: auth, payload: { response, name: 'Phone' } });
    };
    const added = await register();
    expect(added.statusCode, added.body).toBe(201);
    const passkeyId = (added.json() as { id: string }).id;
    // The same credential again is refused, and a refusal records nothing.
    expect((await register()).statusCode).toBe(400);
    const url = `/v1/auth/passkeys/${passkeyId}`;
    expect((await ctx.app.inject({ method: 'PATCH', url, headers: auth, payload: { name: 'Old phone' } })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'DELETE', url, headers: auth })).statusCode).toBe(204);

    const events = await ctx.app.prisma.auditEvent.findMany({ where: { targetId: user.id, type: { startsWith: 'user.passkey_' } }, orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.type, e.details])).toEqual([
      ['user.passkey_added', { passkeyId, name: 'Phone' }],
      ['user.passkey_renamed', { passkeyId, name: 'Old phone' }],
      ['user.passkey_removed', { passkeyId }],
    ]);
    for (const event of events) expect(event).toMatchObject({ outcome: 'success', actorId: user.id, actorType: 'user', targetId: user.id });
    const everything = json(events);
    for (const encoding of ['base64', 'hex', 'base64url'] as const) expect(everything).not.toContain(key.cosePublicKey.toString(encoding));
  });

  it('a refused change records nothing', async () => {
    const who = await userWithMfa(ctx.app);
    const auth = bearer(who.tokens.accessToken);
    expect((await ctx.app.inject({ method: 'POST', url: '/v1/auth/mfa/recovery-codes', headers: auth, payload: { code: '000000' } })).statusCode).toBe(401);
    const missing = `/v1/auth/passkeys/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`;
    expect((await ctx.app.inject({ method: 'PATCH', url: missing, headers: auth, payload: { name: 'Nope' } })).statusCode).toBe(404);
    const types = await ctx.app.prisma.auditEvent.findMany({ where: { targetId: who.user.id, type: { startsWith: 'user.' } }, select: { type: true } });
    expect(types.map((e) => e.type)).not.toContain('user.recovery_codes_regenerated');
    expect(types.map((e) => e.type)).not.toContain('user.passkey_renamed');
  });
});
