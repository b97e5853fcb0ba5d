import type { ServiceContext } from '../context.js';
import type { AccountModule } from '../modules/account/index.js';
import type { AuditModule } from '../modules/audit/index.js';
import type { AvatarsModule } from '../modules/avatars/index.js';
import type { MailModule } from '../modules/mail/index.js';
import type { Mailer } from '../modules/mail/mailer.js';
import { createMailer } from '../modules/mail/mailer.js';
import type { OutboxRow } from '../modules/outbox/outbox.repository.js';
import type { OutboxModule } from '../modules/outbox/index.js';
import type { AuditRetentionWorker } from './audit-retention-worker.js';
import { createAuditRetentionWorker } from './audit-retention-worker.js';
import type { AvatarDeletionWorker } from './avatar-deletion-worker.js';
import { createAvatarDeletionWorker } from './avatar-deletion-worker.js';
import type { MailWorker } from './mail-worker.js';
import { createMailWorker } from './mail-worker.js';
import { createMeetingsTarget } from './meetings-target.js';
import type { OutboxRelay, UserSyncTarget } from './outbox-relay.js';
import { createOutboxRelay } from './outbox-relay.js';

export interface WorkersDeps {
  outbox: OutboxModule;
  mail: MailModule;
  account: Pick<AccountModule, 'mails' | 'tokens'>;
  avatars: Pick<AvatarsModule, 'deletions' | 'storage' | 'waker'>;
  audit: Pick<AuditModule, 'retention'>;
  /** Replaces the meetings-service client of the outbox relay (tests). */
  syncTarget?: UserSyncTarget | undefined;
  onOutboxDelivered?: ((row: OutboxRow) => Promise<void>) | undefined;
  /** Replaces the SMTP sender of the mail worker (tests). */
  mailer?: Pick<Mailer, 'send'> | undefined;
}

/** The outbox relay: user changes to the meetings-service, at least once, in order per user. */
function outboxRelay({ app, config }: ServiceContext, deps: WorkersDeps) {
  const meetings = createMeetingsTarget(config.sync, app.log, app.metrics);
  const relay = createOutboxRelay({
    prisma: app.prisma,
    outbox: deps.outbox.repository,
    target: deps.syncTarget ?? meetings,
    listenUrl: config.database.directUrl ?? config.database.url,
    log: app.log,
    metrics: app.metrics,
    batchSize: config.sync.batchSize,
    concurrency: config.sync.concurrency,
    pollMs: config.sync.pollMs,
    maxBackoffMs: config.sync.maxBackoffMs,
    ...(deps.onOutboxDelivered ? { onDelivered: deps.onOutboxDelivered } : {}),
  });
  return { relay, close: () => meetings.client.close() };
}

/** The mail worker: composes queued account mails at send time and sends them over SMTP. */
function mailWorker({ app, config, clock }: ServiceContext, deps: WorkersDeps) {
  const smtp = createMailer({ smtpUrl: config.mail.smtpUrl, from: config.mail.from, timeoutMs: config.mail.sendTimeoutMs });
  const worker = createMailWorker({
    mails: deps.mail.repository,
    mailer: deps.mailer ?? smtp,
    composers: deps.account.mails.composers,
    waker: deps.mail.waker,
    log: app.log,
    metrics: app.metrics,
    batchSize: config.mail.batchSize,
    concurrency: config.mail.concurrency,
    pollMs: config.mail.pollMs,
    maxAttempts: config.mail.maxAttempts,
    maxBackoffMs: config.mail.maxBackoffMs,
    // Connect, greeting and socket timeouts can each run out once: a live send never outlasts this.
    leaseMs: config.mail.sendTimeoutMs * 4 + 5000,
    retentionSec: config.mail.retentionSec,
    housekeeping: async () => {
      await deps.account.tokens.purgeExpired(new Date(clock() - config.mail.retentionSec * 1000));
    },
  });
  return { worker, close: () => smtp.close() };
}

/** The picture-deletion worker: replaced pictures and those of closed accounts, until gone. */
function avatarDeletionWorker({ app, config }: ServiceContext, deps: WorkersDeps) {
  const settings = config.avatars;
  return createAvatarDeletionWorker({
    deletions: deps.avatars.deletions,
    storage: deps.avatars.storage,
    waker: deps.avatars.waker,
    log: app.log,
    metrics: app.metrics,
    pollMs: settings.deletion.pollMs,
    maxBackoffMs: settings.deletion.maxBackoffMs,
    // A closed account's prefix takes a listing and a batch delete per 1000 objects.
    leaseMs: settings.s3.timeoutMs * 20 + 5000,
  });
}

/** Audit retention: prunes events older than AUDIT_RETENTION at start and every AUDIT_PRUNE_INTERVAL. */
function auditRetentionWorker({ app, config }: ServiceContext, deps: WorkersDeps) {
  return createAuditRetentionWorker({ retention: deps.audit.retention, log: app.log, pollMs: config.audit.pruneIntervalSec * 1000 });
}

/**
 * Builds the background workers, exposes them as `app.outboxRelay` / `app.mailWorker` (tests
 * and operators run single batches), starts the enabled ones once the app is ready and stops
 * them before the database and Redis close, so the last batch can finish.
 */
export function registerWorkers(ctx: ServiceContext, deps: WorkersDeps): void {
  const { app, config } = ctx;
  const sync = outboxRelay(ctx, deps);
  const mail = mailWorker(ctx, deps);
  const avatarDeletions = avatarDeletionWorker(ctx, deps);
  const auditRetention = auditRetentionWorker(ctx, deps);
  app.decorate('outboxRelay', sync.relay);
  app.decorate('mailWorker', mail.worker);
  app.decorate('avatarDeletions', avatarDeletions);
  app.decorate('auditRetention', auditRetention);
  if (config.sync.relayEnabled) app.addHook('onReady', async () => sync.relay.start());
  if (config.mail.workerEnabled) app.addHook('onReady', async () => mail.worker.start());
  if (config.avatars.deletion.workerEnabled) app.addHook('onReady', async () => avatarDeletions.start());
  if (config.audit.pruneEnabled) app.addHook('onReady', async () => auditRetention.start());
  app.addHook('preClose', async () => {
    await Promise.all([sync.relay.stop(), mail.worker.stop(), avatarDeletions.stop(), auditRetention.stop()]);
    sync.close();
    mail.close();
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    outboxRelay: OutboxRelay;
    mailWorker: MailWorker;
    avatarDeletions: AvatarDeletionWorker;
    auditRetention: AuditRetentionWorker;
  }
}
