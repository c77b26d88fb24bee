/**
 * One WebSocket event stream. With `after`, stored events after the cursor go first, then live ones:
 * live events are buffered from the moment of subscribing (before the store is read), and those the
 * catch-up already sent are dropped, so the switch has no gap and no duplicate.
 *
 * Frames: each event envelope as JSON; once caught up, one `{"type":"stream.live","lastEventId":…}`.
 * Close codes: 4400 bad filter/cursor, 4401 no or bad key, 4403 missing scope, 4408 heartbeat lost,
 * 4429 consumer too slow (reconnect with after=<last id>), 1001 server going away, 1011 internal error.
 */
import type { WebSocket } from 'ws';
import type { EventRecord } from '../domain/records.ts';
import { eventEnvelope } from '../domain/webhooks.ts';
import type { EventFilter, EventService } from '../events/event-service.ts';
import type { EventHub } from './event-hub.ts';

export const CLOSE = { badRequest: 4400, unauthorized: 4401, forbidden: 4403, heartbeat: 4408, slow: 4429, goingAway: 1001, internal: 1011 } as const;

const CATCH_UP_PAGE = 500;
/** Bytes queued on a socket before the consumer counts as too slow. */
const MAX_BUFFERED = 8 * 1024 * 1024;
const CAUGHT_UP_MEMORY_MS = 10_000;

export interface StreamOptions {
  socket: WebSocket;
  filter: EventFilter;
  after: string | undefined;
  hub: EventHub;
  events: EventService;
  pingMs: number;
  onError: (error: unknown) => void;
}

export function runEventStream(options: StreamOptions): { close(code: number, reason: string): void } {
  const { socket } = options;
  let live = false;
  let closed = false;
  let buffer: EventRecord[] = [];
  let lastEventId = options.after ?? null;
  const caughtUp = new Set<string>();

  const send = (event: EventRecord): void => {
    if (closed) return;
    if (socket.bufferedAmount > MAX_BUFFERED) {
      close(CLOSE.slow, `consumer too slow; reconnect with after=${lastEventId ?? ''}`);
      return;
    }
    socket.send(JSON.stringify(eventEnvelope(event)));
    lastEventId = event.id;
  };

  const unsubscribe = options.hub.subscribe({
    filter: options.filter,
    deliver(event) {
      if (!live) buffer.push(event);
      else if (!caughtUp.has(event.id)) send(event);
    },
  });

  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const heartbeat = setInterval(() => {
    if (!alive) {
      close(CLOSE.heartbeat, 'no pong to the last ping');
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, options.pingMs);
  heartbeat.unref();

  function close(code: number, reason: string): void {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    buffer = [];
    socket.close(code, reason.slice(0, 120));
  }
  socket.on('close', () => {
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
  });

  const catchUp = async (): Promise<void> => {
    if (options.after !== undefined) {
      let cursor: string = options.after;
      for (;;) {
        const page = await options.events.page(options.filter, cursor, CATCH_UP_PAGE);
        for (const event of page) {
          if (closed) return;
          caughtUp.add(event.id);
          send(event);
        }
        if (page.length < CATCH_UP_PAGE) break;
        cursor = page.at(-1)!.id;
      }
    }
    if (closed) return;
    for (const event of buffer) if (!caughtUp.has(event.id)) send(event);
    buffer = [];
    // Live events reach the hub once flushed to disk, a moment after the commit the catch-up read:
    // remember what catch-up sent a little longer, so none of them goes out twice.
    setTimeout(() => caughtUp.clear(), CAUGHT_UP_MEMORY_MS).unref();
    live = true;
    if (!closed) socket.send(JSON.stringify({ type: 'stream.live', lastEventId }));
  };
  catchUp().catch((error: unknown) => {
    options.onError(error);
    close(CLOSE.internal, 'internal error');
  });

  return { close };
}
