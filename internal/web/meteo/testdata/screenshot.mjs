// Takes a full-page screenshot of the Météo des services with headless
// Chromium and reports what the page shows, as the browser rendered it:
// node screenshot.mjs URL OUTPUT.png PROFILE_DIR
import { lancer } from '../../ui/testdata/navigateur.mjs';

const [url, out, profile] = process.argv.slice(2);
const context = await lancer(profile);
try {
  const page = await context.newPage();
  const resp = await page.goto(url, { waitUntil: 'networkidle', timeout: 30000 });
  if (!resp || resp.status() !== 200) {
    throw new Error(`HTTP ${resp ? resp.status() : 'sans réponse'}`);
  }
  const flat = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const banner = flat(await page.textContent('#bandeau'));
  // Each DRIMbox: its name, its components with bars (label, state, 90-day
  // figure, visible bars), and its other components (label, state, badges).
  const points = await page.$$eval('.meteo-point', (els) => els.map((e) => {
    const t = (n) => (n ? n.textContent.replace(/\s+/g, ' ').trim() : '');
    const visible = (n) => n.getBoundingClientRect().width > 0;
    return {
      fqdn: t(e.querySelector('h3')),
      composants: [...e.querySelectorAll('.meteo-composant')].map((c) => ({
        libelle: t(c.querySelector('strong')),
        etat: t(c.querySelector('.fr-badge')),
        dispo: t(c.querySelector('.meteo-dispo')),
        barres: [...c.querySelectorAll('svg rect')].filter(visible).length,
      })),
      secondaires: t(e.querySelector('.meteo-secondaires')),
    };
  }));
  const text = flat(await page.textContent('body'));
  console.log(JSON.stringify({ title: await page.title(), banner, points, text }));
  await page.screenshot({ path: out, fullPage: true });
} finally {
  await context.close();
}
