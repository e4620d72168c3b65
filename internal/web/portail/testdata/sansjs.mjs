// Drives the essential path of situation 1 in the Confiance portal with
// JavaScript disabled in headless Chromium: log in, show the rows of the
// PACS, get a French error next to a field, file the declaration; ANS
// instructs and accepts it; the operator downloads its attestations.
// node sansjs.mjs CONFIG_JSON, with CONFIG_JSON as parcours.mjs reads it.
// Prints a JSON report on stdout; any failed expectation exits non-zero.
import { ouvrir } from '../../ui/testdata/navigateur.mjs';
import { session } from './session.mjs';

const cfg = JSON.parse(process.argv[2]);
const { context, page } = await ouvrir(cfg.profil,
  { acceptDownloads: true, javaScriptEnabled: false });
const { login, logout } = session(page, cfg);
const report = { Numeros: [], Captures: [], Mails: [], Exclu: '', Attestation: '' };

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function capture(name) {
  const path = `${cfg.captures}/sansjs-${name}.png`;
  await page.screenshot({ path, fullPage: true });
  report.Captures.push(path);
}

async function confirmed(text) {
  const msg = await page.locator('#confirmation').textContent();
  check(msg.includes(text), `confirmation « ${msg} », attendu « ${text} »`);
}

async function declarer() {
  await login('op');
  await page.getByRole('link', { name: 'Nouvelle demande' }).first().click();
  await page.getByRole('link', { name: "Déclaration d'une nouvelle DRIMbox" }).click();
  // JavaScript is off: changing the count swaps nothing in...
  const nombre = page.getByLabel('Combien de PACS');
  await nombre.fill('3');
  await nombre.press('Tab');
  await page.waitForTimeout(500);
  check(await page.locator('#pacs-1').count() === 0, 'htmx a agi : JavaScript est actif');
  // ...and the button reloads the form with one row per PACS.
  await nombre.fill('2');
  await page.getByRole('button', { name: 'Afficher les lignes des PACS' }).click();
  await page.waitForURL(/nombrePacs=2/);
  await page.waitForSelector('#pacs-1');
  check(await page.locator('#pacs-2').count() === 0, 'trois lignes de PACS pour deux');
  await page.getByLabel('SIREN des clients').fill('123456789');
  for (const i of [0, 1]) {
    const row = page.locator(`#pacs-${i}`);
    await row.getByLabel('Nom d\'hôte du serveur DRIMbox').fill(`drimbox${i + 1}.operateur1.fr`);
    await row.getByLabel('Nom d\'hôte de la visionneuse').fill(`viewer${i + 1}.operateur1.fr`);
  }
  await page.getByLabel('CGI signées').setInputFiles(cfg.cgi);
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  await page.waitForSelector('#erreurs');
  const err = await page.locator('#f-sirens-erreur').textContent();
  check(err.includes('SIREN'), `erreur SIREN absente : « ${err} »`);
  check(await page.locator('#f-pacs-1-cibleVi').inputValue() === 'viewer2.operateur1.fr',
    'les noms d\'hôte saisis sont perdus');
  await capture('01-declaration-erreur');
  await page.getByLabel('SIREN des clients').fill(cfg.sirens);
  await page.getByLabel('CGI signées').setInputFiles(cfg.cgi);
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  await confirmed('déposée');
  const h1 = await page.locator('h1').textContent();
  const num = h1.match(/D-\d{4}-\d{6}/);
  check(num, `pas de numéro de demande dans « ${h1} »`);
  report.Numeros.push(num[0]);
  await capture('02-declaration-deposee');
  await logout();
  return num[0];
}

async function accepter(num) {
  await login('ans');
  await page.getByRole('link', { name: num }).click();
  await page.getByRole('button', { name: 'Prendre en instruction' }).click();
  await confirmed("en cours d'instruction");
  await page.getByLabel('ID registre à attribuer').fill('350');
  await page.getByRole('button', { name: 'Accepter', exact: true }).click();
  await confirmed('acceptée');
  await capture('03-ans-acceptation');
  await logout();
}

async function attestations() {
  await login('op');
  check((await page.locator('body').textContent()).includes('db2.350.mesimagesmedicales.fr'),
    'FQDN attribués absents du tableau de bord');
  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('link', { name: 'Télécharger les attestations (PDF)' }).first().click()]);
  report.Attestation = `${cfg.tmp}/attestations-sansjs.pdf`;
  await dl.saveAs(report.Attestation);
  await capture('04-tableau-de-bord');
}

try {
  const num = await declarer();
  await accepter(num);
  await attestations();
  process.stdout.write(JSON.stringify(report));
} finally {
  await context.close();
}
