-- AlterTable
ALTER TABLE "artifacts" ADD COLUMN     "conversation_id" UUID,
ALTER COLUMN "run_id" DROP NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "artifacts_conversation_id_step_name_name_sha256_key" ON "artifacts"("conversation_id", "step_name", "name", "sha256");

-- AddForeignKey
ALTER TABLE "artifacts" ADD CONSTRAINT "artifacts_conversation_id_fkey" FOREIGN KEY ("conversation_id") REFERENCES "conversations"("id") ON DELETE CASCADE ON UPDATE CASCADE;
