/** Small shared pieces: data loading, alerts, status badges, message ticks, labelled fields. */
import type { ComponentChildren, JSX } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { messageOf } from '../api/client.ts';
import type { MessageStatus, SessionStatus } from '../api/types.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** Loads on mount and whenever `deps` change; `reload` loads again (after a change, or on an event). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (value) => live && (setData(value), setError(undefined), setLoading(false)),
      (failure: unknown) => live && (setError(messageOf(failure)), setLoading(false)),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload };
}

/** Runs an action, reporting its failure in the page's alert; returns whether it succeeded. */
export function useAction(): { busy: boolean; error: string | undefined; run: (action: () => Promise<unknown>) => Promise<boolean>; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      return true;
    } catch (failure) {
      setError(messageOf(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run, clear: () => setError(undefined) };
}

export function Alert({ message }: { message: string | undefined }) {
  if (!message) return null;
  return <p class="alert" role="alert">{message}</p>;
}

export function StatusBadge({ status }: { status: SessionStatus | string }) {
  return <span class={`badge status-${status.toLowerCase()}`} data-status={status}>{status}</span>;
}

const TICKS: Record<string, { text: string; label: string }> = {
  queued: { text: '🕓', label: 'queued' },
  pending: { text: '🕓', label: 'pending' },
  sent: { text: '✓', label: 'sent' },
  delivered: { text: '✓✓', label: 'delivered' },
  read: { text: '✓✓', label: 'read' },
  played: { text: '✓✓', label: 'played' },
  failed: { text: '⚠', label: 'failed' },
};

export function Ticks({ status }: { status: MessageStatus }) {
  const tick = TICKS[status] ?? { text: '·', label: status };
  return <span class={`ticks ticks-${status}`} title={tick.label} data-status={status}><span aria-hidden="true">{tick.text}</span><span class="visually-hidden">{tick.label}</span></span>;
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      {children}
      {hint ? <span class="field-hint">{hint}</span> : null}
    </label>
  );
}

export function Section({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card" aria-label={title}>
      <header class="card-head"><h2>{title}</h2>{actions ? <div class="card-actions">{actions}</div> : null}</header>
      {children}
    </section>
  );
}

export function Table({ caption, children }: { caption: string; children: ComponentChildren }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table><caption class="visually-hidden">{caption}</caption>{children}</table>
    </div>
  );
}

export function time(epochMs: number | null | undefined): string {
  return epochMs ? new Date(epochMs).toLocaleString() : '–';
}

export function ago(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

export type InputEvent = JSX.TargetedEvent<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, Event>;
export const value = (event: InputEvent): string => event.currentTarget.value;
