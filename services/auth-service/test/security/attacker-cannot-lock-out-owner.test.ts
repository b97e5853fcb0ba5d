import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, newUserInput, registerUser, STRONG_PASSWORD } from '../factories.js';
import { startWithMail, tokenFrom } from '../mail-kit.js';
import type { MailContext } from '../mail-kit.js';
import { loginFrom, statusCounts } from './guess-kit.js';

// Finding: 10 wrong logins with a victim's email locked the owner out for 15 minutes, from
// everywhere, and a password reset did not lift it. The throttle now slows the attacker (per
// account and IP, then per account across IPs) without refusing the owner's right password.
describe('brute force against one account: attackers are capped, the owner still gets in', () => {
  let m: MailContext;
  beforeAll(async () => {
    m = await startWithMail({ LOGIN_FAILURE_MAX: '10', LOGIN_ACCOUNT_FREE_FAILURES: '10', LOGIN_CLEAN_IP_ATTEMPTS: '3' });
  });
  afterAll(async () => m.close());

  const freshUser = async () => {
    const { input } = await registerUser(m.ctx.app, newUserInput());
    await m.smtp.waitForMailTo(input.email);
    return input;
  };

  it('a campaign from 100 IPs is capped per account; the owner on their usual IP logs in during it', async () => {
    const owner = await freshUser();
    expect((await loginFrom(m.ctx.app, '10.1.0.1', owner.email, STRONG_PASSWORD)).statusCode).toBe(200);

    const attack = await Promise.all(Array.from({ length: 100 }, (_, i) => loginFrom(m.ctx.app, `198.51.100.${i + 1}`, owner.email)));
    const counts = statusCounts(attack);
    // 10 free failures, 3 from clean IPs, then spaced slots: a burst gets only a couple of them.
    expect(counts[401] ?? 0, JSON.stringify(counts)).toBeLessThanOrEqual(16);
    // The rest are refused before any hashing (a 503 only if the loaded test machine's database
    // pool times out, which is no answer to a guess either).
    expect((counts[429] ?? 0) + (counts[503] ?? 0), JSON.stringify(counts)).toBe(100 - (counts[401] ?? 0));
    expect(counts[429] ?? 0).toBeGreaterThan(0);
    const refused = attack.find((r) => r.statusCode === 429);
    expect(refused).toBeDefined();
    if (refused) expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    // A second wave right after is still refused: the cap holds across IPs.
    const wave = await Promise.all(Array.from({ length: 20 }, (_, i) => loginFrom(m.ctx.app, `203.0.113.${i + 1}`, owner.email)));
    expect(statusCounts(wave)[401] ?? 0).toBeLessThanOrEqual(2);

    const ownerLogin = await loginFrom(m.ctx.app, '10.1.0.1', owner.email, STRONG_PASSWORD);
    expect(ownerLogin.statusCode, ownerLogin.body).toBe(200);
    // By username too: the throttle is per account, not per spelling of the identifier.
    expect((await loginFrom(m.ctx.app, '10.1.0.1', owner.username, STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it('an attack from a few IPs leaves the owner a way in from a new IP', async () => {
    const owner = await freshUser();
    for (const ip of ['198.18.0.1', '198.18.0.2']) {
      for (let i = 0; i < 12; i += 1) await loginFrom(m.ctx.app, ip, owner.email);
      expectProblem(await loginFrom(m.ctx.app, ip, owner.email, STRONG_PASSWORD), 429, 'RATE_LIMITED');
    }
    const fromNewIp = await loginFrom(m.ctx.app, '10.2.0.9', owner.email, STRONG_PASSWORD);
    expect(fromNewIp.statusCode, fromNewIp.body).toBe(200);
  });

  it('a password reset clears the account counters', async () => {
    const owner = await freshUser();
    for (let i = 0; i < 10; i += 1) await loginFrom(m.ctx.app, '10.3.0.1', owner.email);
    expectProblem(await loginFrom(m.ctx.app, '10.3.0.1', owner.email, STRONG_PASSWORD), 429, 'RATE_LIMITED');

    const forgot = await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: owner.email } });
    expect(forgot.statusCode).toBe(202);
    const mail = await m.smtp.waitFor((x) => x.envelope.to.includes(owner.email) && x.subject === 'Reset your password');
    const newPassword = 'Quartz-Violin-Lantern-42';
    const reset = await m.ctx.app.inject({ method: 'POST', url: '/v1/auth/password/reset', payload: { token: tokenFrom(mail, '/reset-password'), newPassword } });
    expect(reset.statusCode, reset.body).toBe(204);

    const after = await loginFrom(m.ctx.app, '10.3.0.1', owner.email, newPassword);
    expect(after.statusCode, after.body).toBe(200);
  });
});
