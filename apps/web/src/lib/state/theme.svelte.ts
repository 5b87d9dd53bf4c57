export type Theme = 'light' | 'dark' | 'system';

const STORAGE_KEY = 'api-scheduler-theme';

/** The colour theme: "system" follows prefers-color-scheme; the choice is kept in localStorage. */
class ThemeState {
  choice = $state<Theme>('system');

  load(): void {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'light' || stored === 'dark' || stored === 'system') this.choice = stored;
    this.apply();
  }

  set(theme: Theme): void {
    this.choice = theme;
    localStorage.setItem(STORAGE_KEY, theme);
    this.apply();
  }

  apply(): void {
    // A data attribute, not a style attribute, so the CSP needs no unsafe-inline for styles.
    if (this.choice === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = this.choice;
  }
}

export const theme = new ThemeState();
