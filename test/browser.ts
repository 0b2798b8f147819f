// Headless Chromium for end-to-end tests: Debian's /usr/bin/chromium driven by playwright-core, launched
// as the browser bench launches it (loadtest/bench/chromium.ts). Screenshots go to test-artifacts/
// (ignored by git) and are kept after the run.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { sourcePath } from '../core/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, launchChromium } from '../loadtest/bench/chromium.js';

// One launcher for the tests and the browser bench (loadtest/bench/chromium.ts).
export { CHROMIUM_ARGS, CHROMIUM_PATH };

export async function launchBrowser(): Promise<Browser> {
  return launchChromium();
}

export const ARTIFACTS_DIR = sourcePath('test-artifacts');

/** Saves a full-page screenshot as test-artifacts/<suite>/<name>.png and returns its path. */
export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const folder = join(ARTIFACTS_DIR, suite);
  mkdirSync(folder, { recursive: true });
  const path = join(folder, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Collects uncaught page errors, script dialogs (an injected alert() would show here) and files the
 * page asked for that do not exist (Chromium reports those, the icon included, as console errors).
 */
export function watchPage(page: Page): { errors: string[]; dialogs: string[]; missing: string[]; consoleErrors: string[]; warnings: string[] } {
  const errors: string[] = [];
  const dialogs: string[] = [];
  const missing: string[] = [];
  const consoleErrors: string[] = [];
  const warnings: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    const url = message.location().url ?? '';
    if (message.type() === 'error') consoleErrors.push(`${message.text()} (${url})`);
    if (message.type() === 'warning') warnings.push(message.text());
    // The API's 404s are answers (an alert opened before the writer stored it is asked for again).
    if (message.type() === 'error' && /status of 404/.test(message.text()) && !new URL(url, 'http://x').pathname.startsWith('/api/')) missing.push(url);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return { errors, dialogs, missing, consoleErrors, warnings };
}

type DomNode = { nodeType: number; textContent: string | null; childNodes: ArrayLike<DomNode>; shadowRoot?: DomNode | null };

/** The text of an element including what its components render in shadow roots (textContent stops at them). */
export async function deepText(locator: Locator): Promise<string> {
  return locator.evaluate((root: unknown) => {
    const TEXT_NODE = 3;
    const parts: string[] = [];
    const walk = (node: DomNode): void => {
      if (node.nodeType === TEXT_NODE) parts.push(node.textContent ?? '');
      if (node.shadowRoot) for (const child of Array.from(node.shadowRoot.childNodes)) walk(child);
      for (const child of Array.from(node.childNodes)) walk(child);
    };
    walk(root as DomNode);
    return parts.join(' ').replace(/\s+/g, ' ').trim();
  });
}

/** Navigates the app's hash router. */
export async function goTo(page: Page, hash: string): Promise<void> {
  await page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);
}

/** Reads a page expression (the test code stays free of DOM types). */
export async function pageValue<T>(page: Page, expression: string): Promise<T> {
  return page.evaluate(expression) as Promise<T>;
}
