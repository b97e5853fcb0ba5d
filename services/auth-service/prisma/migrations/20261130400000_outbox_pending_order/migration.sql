-- The relay claims the oldest pending heads in id order: an ordered range scan of this index
-- stops after one batch, where (status, created_at) made it read and sort every pending row.
-- CreateIndex
CREATE INDEX "user_outbox_status_id_idx" ON "user_outbox"("status", "id");
