-- CreateEnum
CREATE TYPE "OutboxKind" AS ENUM ('upsert', 'delete');

-- CreateEnum
CREATE TYPE "OutboxStatus" AS ENUM ('pending', 'delivered', 'dead');

-- CreateTable
CREATE TABLE "user_outbox" (
    "id" BIGSERIAL NOT NULL,
    "user_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "kind" "OutboxKind" NOT NULL,
    "payload" JSONB NOT NULL,
    "status" "OutboxStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "user_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "user_outbox_status_user_id_id_idx" ON "user_outbox"("status", "user_id", "id");

-- CreateIndex
CREATE INDEX "user_outbox_status_created_at_idx" ON "user_outbox"("status", "created_at");
