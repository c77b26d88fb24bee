/** What the API shows of a bulk job: its status and how far its messages got. */
import type { MessageStatus } from '../domain/messages.ts';
import type { BulkJobRecord, BulkJobStatus } from '../storage/outbound-ports.ts';

export interface BulkJobView {
  id: string;
  sessionId: string;
  status: BulkJobStatus;
  total: number;
  progress: { queued: number; sent: number; delivered: number; read: number; failed: number; done: number };
  createdAt: number;
  updatedAt: number;
}

export function bulkView(job: BulkJobRecord, counts: Partial<Record<MessageStatus, number>>): BulkJobView {
  const n = (status: MessageStatus): number => counts[status] ?? 0;
  const progress = {
    queued: n('queued'),
    sent: n('sent'),
    delivered: n('delivered'),
    read: n('read') + n('played'),
    failed: n('failed'),
    done: 0,
  };
  progress.done = job.total - progress.queued;
  // "completed" is derived, not stored: a running job whose last message left the queue is done.
  const status: BulkJobStatus = job.status === 'running' && progress.queued === 0 ? 'completed' : job.status;
  const { tenantId: _tenant, ...rest } = job;
  return { ...rest, status, progress };
}
