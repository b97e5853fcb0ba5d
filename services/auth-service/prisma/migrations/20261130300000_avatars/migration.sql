-- AlterTable
ALTER TABLE "users" ADD COLUMN "avatar_key" VARCHAR(255),
ADD COLUMN "avatar_url" VARCHAR(1024);

-- CreateTable
CREATE TABLE "avatar_deletions" (
    "id" BIGSERIAL NOT NULL,
    "key" VARCHAR(255) NOT NULL,
    "prefix" BOOLEAN NOT NULL DEFAULT false,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "avatar_deletions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "avatar_deletions_available_at_idx" ON "avatar_deletions"("available_at");
