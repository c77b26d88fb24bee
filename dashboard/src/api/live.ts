/**
 * The live event stream (GET /v1/events/ws, authenticated by the login cookie). Reconnects with
 * backoff and resumes after the last event it saw, so a dropped connection loses nothing.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { EventEnvelope } from './types.ts';
import { loggedOut, refreshLogin } from './client.ts';

/** The stream's close code for a missing or expired credential (src/realtime/event-stream.ts). */
const CLOSE_UNAUTHORIZED = 4401;

export interface LiveFilter {
  session?: string;
  types?: string;
}

export function openLive(filter: LiveFilter, onEvent: (event: EventEnvelope) => void, onState?: (connected: boolean) => void): () => void {
  let socket: WebSocket | undefined;
  let closed = false;
  let lastId: string | undefined;
  let delay = 500;
  let timer: number | undefined;
  let renewed = false;
  const connect = () => {
    const url = new URL('/v1/events/ws', location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (filter.session) url.searchParams.set('session', filter.session);
    if (filter.types) url.searchParams.set('types', filter.types);
    if (lastId) url.searchParams.set('after', lastId);
    socket = new WebSocket(url);
    socket.onopen = () => {
      delay = 500;
      renewed = false;
      onState?.(true);
    };
    socket.onmessage = (message) => {
      const data = JSON.parse(String(message.data)) as EventEnvelope | { type: 'stream.live' };
      if (data.type === 'stream.live' || !('id' in data)) return;
      lastId = data.id;
      onEvent(data);
    };
    socket.onclose = (event) => {
      onState?.(false);
      if (closed) return;
      if (event.code === CLOSE_UNAUTHORIZED) {
        // The access cookie expired while the page was open: renew the login once, then reconnect.
        if (renewed) return loggedOut();
        renewed = true;
        void refreshLogin().then((ok) => (ok ? connect() : loggedOut()));
        return;
      }
      timer = window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10_000);
    };
  };
  connect();
  return () => {
    closed = true;
    window.clearTimeout(timer);
    socket?.close();
  };
}

/** Subscribes for the component's lifetime; the latest handler is always the one called. */
export function useLive(filter: LiveFilter, onEvent: (event: EventEnvelope) => void, onState?: (connected: boolean) => void): void {
  const handler = useRef(onEvent);
  handler.current = onEvent;
  const state = useRef(onState);
  state.current = onState;
  useEffect(() => openLive(filter, (event) => handler.current(event), (connected) => state.current?.(connected)), [filter.session, filter.types]);
}
