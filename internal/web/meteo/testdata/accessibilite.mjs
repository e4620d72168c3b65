// Audits the accessibility of the Météo des services in headless Chromium:
// axe-core's WCAG 2 A/AA rules on the status page, a search and the page
// of one DRIMbox, in the light and dark themes, and the keyboard path of
// each (skip link first, the search field reachable, focus drawn).
// node accessibilite.mjs CONFIG_JSON, CONFIG_JSON: {base, axe, profil,
// fqdn}. Prints {Pages, Clavier} on stdout; a broken page exits non-zero.
import { ouvrir } from '../../ui/testdata/navigateur.mjs';
import { audit, auditSombre, clavier } from '../../ui/testdata/axe.mjs';

const cfg = JSON.parse(process.argv[2]);
const { context, page } = await ouvrir(cfg.profil, { bypassCSP: true });
const report = { Pages: [], Clavier: [] };

async function visiter(url, name, champ) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  if (!resp || resp.status() !== 200) {
    throw new Error(`${url} : HTTP ${resp ? resp.status() : 'sans réponse'}`);
  }
  report.Pages.push(await audit(page, cfg.axe, name));
  report.Clavier.push(...await clavier(page, url, name, { champ }));
}

// sombre audits the page at url in the dark theme.
async function sombre(url, name) {
  await page.goto(url, { waitUntil: 'load' });
  report.Pages.push(await auditSombre(page, cfg.axe, name));
}

try {
  await sombre(`${cfg.base}/`, 'Météo des services');
  await sombre(`${cfg.base}/meteo/drimbox/${cfg.fqdn}`, `Météo de ${cfg.fqdn}`);
  await visiter(`${cfg.base}/`, 'Météo des services', '#q');
  await visiter(`${cfg.base}/?q=Radiologie`, 'Météo des services : recherche', '#q');
  await visiter(`${cfg.base}/meteo/drimbox/${cfg.fqdn}`, `Météo de ${cfg.fqdn}`, '');
  console.log(JSON.stringify(report));
} catch (err) {
  console.error(`${err.stack}\nURL : ${page.url()}`);
  process.exitCode = 1;
} finally {
  await context.close();
}
