-- AlterTable
ALTER TABLE "user_outbox" ADD COLUMN     "trace_context" JSONB;
