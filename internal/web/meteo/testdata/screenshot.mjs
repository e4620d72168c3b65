// Takes a full-page screenshot of the Météo des services with headless
// Chromium: node screenshot.mjs URL OUTPUT.png PROFILE_DIR
import { chromium } from 'playwright-core';

const [url, out, profile] = process.argv.slice(2);
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
  locale: 'fr-FR',
});
try {
  const page = await context.newPage();
  const resp = await page.goto(url, { waitUntil: 'networkidle', timeout: 30000 });
  if (!resp || resp.status() !== 200) {
    throw new Error(`HTTP ${resp ? resp.status() : 'sans réponse'}`);
  }
  const banner = await page.textContent('#bandeau');
  console.log(JSON.stringify({ title: await page.title(), banner: banner.trim().replace(/\s+/g, ' ') }));
  await page.screenshot({ path: out, fullPage: true });
} finally {
  await context.close();
}
