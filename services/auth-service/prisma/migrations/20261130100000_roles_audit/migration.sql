-- Roles (issue: roles, administration, audit trail).
CREATE TYPE "UserRole" AS ENUM ('moderator', 'admin');
ALTER TABLE "users" ADD COLUMN "roles" "UserRole"[] NOT NULL DEFAULT ARRAY[]::"UserRole"[];

-- Admin search by email/username prefix: citext compares lower-cased values in the index's
-- collation; with "C" that order is byte order, so a prefix is exactly a range of the index.
CREATE INDEX "users_email_idx" ON "users" ("email" COLLATE "C");
CREATE INDEX "users_username_idx" ON "users" ("username" COLLATE "C");

-- Audit trail: append-only, hash-chained.
CREATE TABLE "audit_events" (
    "id" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "type" VARCHAR(64) NOT NULL,
    "outcome" VARCHAR(16) NOT NULL,
    "actor_id" UUID,
    "actor_type" VARCHAR(16) NOT NULL,
    "target_id" UUID,
    "ip" VARCHAR(64),
    "user_agent" VARCHAR(256),
    "request_id" VARCHAR(128),
    "details" JSONB NOT NULL DEFAULT '{}',
    "prev_hash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_events_at_idx" ON "audit_events"("at");
CREATE INDEX "audit_events_actor_id_id_idx" ON "audit_events"("actor_id", "id");
CREATE INDEX "audit_events_target_id_id_idx" ON "audit_events"("target_id", "id");
CREATE INDEX "audit_events_type_id_idx" ON "audit_events"("type", "id");

CREATE TABLE "audit_chain" (
    "id" INTEGER NOT NULL,
    "head_hash" CHAR(64) NOT NULL,
    "last_id" BIGINT NOT NULL DEFAULT 0,
    "anchor_hash" CHAR(64) NOT NULL,
    "anchor_id" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_chain_pkey" PRIMARY KEY ("id")
);
-- The genesis: an empty chain whose head and anchor are 64 zeros.
INSERT INTO "audit_chain" ("id", "head_hash", "anchor_hash")
VALUES (1, repeat('0', 64), repeat('0', 64));
