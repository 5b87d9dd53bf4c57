import { describeError } from '../api/errors';

export interface Toast {
  id: number;
  kind: 'error' | 'success';
  message: string;
}

const SUCCESS_VISIBLE_MS = 4_000;
const ERROR_VISIBLE_MS = 10_000;

/** The messages shown in the corner of every page: failed actions and confirmations. */
class Toasts {
  items = $state<Toast[]>([]);
  #nextId = 1;

  show(kind: Toast['kind'], message: string): void {
    const id = this.#nextId++;
    this.items.push({ id, kind, message });
    setTimeout(() => this.dismiss(id), kind === 'error' ? ERROR_VISIBLE_MS : SUCCESS_VISIBLE_MS);
  }

  success(message: string): void {
    this.show('success', message);
  }

  /** Shows why an action failed: `action` names it, such as "Pausing the schedule". */
  failure(action: string, error: unknown): void {
    this.show('error', `${action} failed: ${describeError(error)}`);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((toast) => toast.id !== id);
  }
}

export const toasts = new Toasts();
