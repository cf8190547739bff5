-- CreateEnum
CREATE TYPE "pairing_status" AS ENUM ('pending', 'approved', 'rejected');

-- CreateTable
CREATE TABLE "chat_pairings" (
    "id" UUID NOT NULL,
    "platform" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "name" TEXT,
    "chat_id" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "status" "pairing_status" NOT NULL DEFAULT 'pending',
    "decided_by" TEXT,
    "decided_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "chat_pairings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "chat_pairings_code_key" ON "chat_pairings"("code");

-- CreateIndex
CREATE INDEX "chat_pairings_status_created_at_idx" ON "chat_pairings"("status", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "chat_pairings_platform_user_id_key" ON "chat_pairings"("platform", "user_id");
