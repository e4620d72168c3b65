// Headless Chromium as every browser test of the portal and of the Météo
// des services starts it: a persistent profile, no sandbox nor background
// traffic, a 1280×900 window and the French locale.
import { chromium } from 'playwright-core';

// lancer starts Chromium on the profile directory profil; options add to
// or override the context's settings (acceptDownloads, bypassCSP,
// javaScriptEnabled…).
export function lancer(profil, options = {}) {
  return chromium.launchPersistentContext(profil, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
    locale: 'fr-FR',
    ...options,
  });
}

// ouvrir starts Chromium as lancer does, waits at most 15 s for each
// step, and opens a page; it returns the context and the page.
export async function ouvrir(profil, options = {}) {
  const context = await lancer(profil, options);
  context.setDefaultTimeout(15000);
  const page = await context.newPage();
  return { context, page };
}
