/** Row shapes of the outbound-pipeline tables (migration 0004). */

export interface OutboundQueueTable {
  session_id: string;
  message_id: string;
  tenant_id: string;
  seq: string;
  chat_id: string;
  payload: string;
  bulk_job_id: string | null;
  attempts: number;
  enqueued_at: number;
  /** 1 while the row's bulk job is not running: the queue's head passes it by (migration 0008). */
  held: number;
}

export interface IdempotencyKeysTable {
  scope: string;
  key: string;
  request_hash: string;
  session_id: string;
  result_id: string;
  created_at: number;
}

export interface BulkJobsTable {
  id: string;
  tenant_id: string;
  session_id: string;
  status: string;
  total: number;
  created_at: number;
  updated_at: number;
}

export interface BulkItemsTable {
  job_id: string;
  idx: number;
  recipient: string;
  message_id: string;
}

export interface TenantPacingTable {
  tenant_id: string;
  pacing: string;
  updated_at: number;
}

export interface OutboundTables {
  tenant_pacing: TenantPacingTable;
  outbound_queue: OutboundQueueTable;
  idempotency_keys: IdempotencyKeysTable;
  bulk_jobs: BulkJobsTable;
  bulk_items: BulkItemsTable;
}
