/**
 * Notification bookkeeping that behaves like Unified Interface, where xrm-mock's does not:
 * - a control keeps one notification per uniqueId; clearNotification() without an id clears the one
 *   on display ("control.clearNotification", Client API reference);
 * - an ERROR notification on a control blocks the save ("setNotification", Remarks);
 * - setFormNotification with an id already shown replaces its text ("setFormNotification").
 */

export interface ControlNotification {
  uniqueId: string;
  level: 'ERROR' | 'RECOMMENDATION';
  message: string;
}

export interface FormNotification {
  id: string;
  level: Xrm.FormNotificationLevel;
  message: string;
}

export interface NotifiableControl {
  setNotification(message: string, uniqueId?: string): boolean;
  addNotification(notification: Xrm.Controls.AddControlNotificationOptions): void;
  clearNotification(uniqueId?: string): boolean;
  getNotifications?(): Xrm.Controls.AddControlNotificationOptions[];
}

let anonymousIds = 0;

/** Replaces a control's notification methods with ones that keep every notification by id. */
export function recordControlNotifications(control: NotifiableControl): () => ControlNotification[] {
  const shown: ControlNotification[] = [];
  const put = (notification: ControlNotification): void => {
    const index = shown.findIndex((n) => n.uniqueId === notification.uniqueId);
    if (index >= 0) shown.splice(index, 1);
    shown.push(notification);
  };
  control.setNotification = (message: string, uniqueId?: string): boolean => {
    if (typeof message !== 'string' || message === '') return false;
    put({ uniqueId: uniqueId ?? `anonymous-${++anonymousIds}`, level: 'ERROR', message });
    return true;
  };
  control.addNotification = (notification: Xrm.Controls.AddControlNotificationOptions): void => {
    const message = notification.messages[0] ?? '';
    put({
      uniqueId: notification.uniqueId ?? `anonymous-${++anonymousIds}`,
      level: notification.notificationLevel ?? 'ERROR',
      message,
    });
  };
  control.clearNotification = (uniqueId?: string): boolean => {
    if (uniqueId === undefined) return shown.pop() !== undefined;
    const index = shown.findIndex((n) => n.uniqueId === uniqueId);
    if (index < 0) return false;
    shown.splice(index, 1);
    return true;
  };
  control.getNotifications = () =>
    shown.map((n) => ({ messages: [n.message], notificationLevel: n.level, uniqueId: n.uniqueId }));
  return () => shown.map((n) => ({ ...n }));
}

/** Form-level notifications in the order they were set. */
export class FormNotificationList {
  private readonly items: FormNotification[] = [];

  set(message: string, level: Xrm.FormNotificationLevel, uniqueId: string): boolean {
    if (!message || !uniqueId || !['ERROR', 'WARNING', 'INFO'].includes(level)) return false;
    const existing = this.items.find((n) => n.id === uniqueId);
    if (existing) {
      existing.message = message;
      existing.level = level;
    } else {
      this.items.push({ id: uniqueId, level, message });
    }
    return true;
  }

  clear(uniqueId: string): boolean {
    const index = this.items.findIndex((n) => n.id === uniqueId);
    if (index < 0) return false;
    this.items.splice(index, 1);
    return true;
  }

  list(): FormNotification[] {
    return this.items.map((n) => ({ ...n }));
  }
}
