-- Roles synced from the auth-service, and participants removed by a host, moderator or admin.
ALTER TABLE "users" ADD COLUMN "roles" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "meeting_participants" ADD COLUMN "removed_at" TIMESTAMPTZ(3),
ADD COLUMN "removed_by" UUID;
