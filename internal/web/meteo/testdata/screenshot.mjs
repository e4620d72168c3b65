// Takes a full-page screenshot of the Météo des services with headless
// Chromium: node screenshot.mjs URL OUTPUT.png PROFILE_DIR
import { lancer } from '../../ui/testdata/navigateur.mjs';

const [url, out, profile] = process.argv.slice(2);
const context = await lancer(profile);
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
