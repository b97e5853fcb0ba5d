import type { MfaRepository } from './mfa.repository.js';
import type { SecretBox } from './secret-box.js';

/** Re-seals, a page at a time, every TOTP secret sealed with another key than the active one. */
export async function resealStaleSecrets(repo: MfaRepository, box: SecretBox, batch = 100): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await repo.staleSecrets(box.activeKeyId, batch);
    for (const row of rows) {
      // Compare-and-set: a secret replaced meanwhile (a new setup) is already current.
      if (await repo.reseal(row.userId, row.secret, box.seal(box.open(row.secret, row.userId), row.userId))) done += 1;
    }
    if (rows.length < batch) return done;
  }
}
