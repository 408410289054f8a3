import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

export interface Toast {
  /** Shown once per id, however often it is pushed. */
  id: string;
  title: string;
  body?: string;
  tone: 'critical' | 'high' | 'info' | 'success';
  href?: string | null;
  durationMs: number;
}

const MAX_VISIBLE = 3;

interface Toaster {
  push(toast: Toast): void;
}

const ToastContext = createContext<Toaster>({ push: () => undefined });

export const useToasts = (): Toaster => useContext(ToastContext);

/**
 * At most three toasts at once, the rest wait their turn; each leaves after its own duration or
 * when dismissed. They sit in a polite live region, critical ones in an assertive one.
 */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [visible, setVisible] = useState<Toast[]>([]);
  const waiting = useRef<Toast[]>([]);
  const seen = useRef(new Set<string>());

  const dismiss = useCallback((id: string) => {
    setVisible((current) => {
      const rest = current.filter((toast) => toast.id !== id);
      while (rest.length < MAX_VISIBLE && waiting.current.length > 0) rest.push(waiting.current.shift() as Toast);
      return rest;
    });
  }, []);

  const push = useCallback((toast: Toast) => {
    if (seen.current.has(toast.id)) return;
    seen.current.add(toast.id);
    setVisible((current) => {
      if (current.length < MAX_VISIBLE) return [...current, toast];
      waiting.current.push(toast);
      return current;
    });
  }, []);

  const toaster = useMemo(() => ({ push }), [push]);
  return (
    <ToastContext.Provider value={toaster}>
      {children}
      <div
        className="toasts"
        aria-live="polite"
        aria-relevant="additions"
        role="region"
        aria-label="Notifications as they arrive"
      >
        {visible.map((toast) => (
          <ToastItem key={toast.id} toast={toast} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: string) => void }) {
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), toast.durationMs);
    return () => clearTimeout(timer);
  }, [toast.id, toast.durationMs, onDismiss]);
  return (
    <div className={`toast toast-${toast.tone}`} role={toast.tone === 'critical' ? 'alert' : 'status'}>
      <div className="toast-text">
        <strong>{toast.title}</strong>
        {toast.body && <p>{toast.body}</p>}
        {toast.href && (
          <Link to={toast.href} onClick={() => onDismiss(toast.id)}>
            Open
          </Link>
        )}
      </div>
      <button
        type="button"
        className="btn btn-ghost btn-icon"
        aria-label={`Dismiss: ${toast.title}`}
        onClick={() => onDismiss(toast.id)}
      >
        ×
      </button>
    </div>
  );
}
