// Audits the accessibility of the main pages of the Confiance portal in
// headless Chromium: axe-core's WCAG 2 A/AA rules on the login page, the
// operator's dashboard, the declaration form (blank and with an error), a
// demande, ANS's list, a demande and the registry as ANS sees them, then
// every page of both menus and the form of every type of demande; and
// the keyboard path of the login page, the dashboard and the form.
// node accessibilite.mjs CONFIG_JSON, CONFIG_JSON: {base, axe, profil,
// cgi, sirens, comptes: {op: [email, password], ans: [email, password]}}.
// Prints {Pages, Clavier} on stdout; a broken path exits non-zero.
import { ouvrir } from '../../ui/testdata/navigateur.mjs';
import { session } from './session.mjs';
import { audit, auditSombre, clavier } from '../../ui/testdata/axe.mjs';

const cfg = JSON.parse(process.argv[2]);
const { context, page } = await ouvrir(cfg.profil, { bypassCSP: true });
const { login, logout } = session(page, cfg);
const report = { Pages: [], Clavier: [] };

// auditer audits the page shown, in the dark theme too when sombre.
async function auditer(name, sombre = false) {
  await page.waitForLoadState('load');
  report.Pages.push(await audit(page, cfg.axe, name));
  if (sombre) {
    report.Pages.push(await auditSombre(page, cfg.axe, name));
  }
}

// premierChamp is a selector of the first field of the demande's form.
async function premierChamp() {
  return page.evaluate(() => {
    const f = document.querySelector('#f-formulaire input:not([type=hidden]), ' +
      '#f-formulaire select, #f-formulaire textarea');
    return f && f.id ? `#${CSS.escape(f.id)}` : '';
  });
}

// liens returns the addresses of the links that match selector.
async function liens(selector) {
  return page.locator(selector).evaluateAll((as) => as.map((a) => a.href));
}

// menu audits every page of the portal's menu and of extra addresses.
async function menu(role, extra = []) {
  for (const url of [...await liens('nav.fr-nav a.fr-nav__link'), ...extra]) {
    await page.goto(url);
    await auditer(`${role} : ${new URL(url).pathname}`);
  }
}

async function operateur() {
  await page.goto(`${cfg.base}/portail`);
  await page.waitForSelector('#email');
  await auditer('connexion');
  report.Clavier.push(...await clavier(page, page.url(), 'connexion', { champ: '#email' }));

  await login('op');
  await auditer('tableau de bord opérateur', true);
  report.Clavier.push(...await clavier(page, page.url(), 'tableau de bord opérateur'));
  await page.getByRole('link', { name: 'Nouvelle demande' }).first().click();
  await auditer('choix de la demande');
  await page.getByRole('link', { name: "Déclaration d'une nouvelle DRIMbox" }).click();
  await auditer('formulaire de déclaration');
  const champ = await premierChamp();
  if (!champ) throw new Error('formulaire de déclaration sans champ identifié');
  report.Clavier.push(...await clavier(page, page.url(), 'formulaire de déclaration',
    { champ }));

  await page.getByLabel('SIREN des clients').fill('123456789');
  await page.getByLabel('Nom d\'hôte du serveur DRIMbox').fill('drimbox1.operateur1.fr');
  await page.getByLabel('Nom d\'hôte de la visionneuse').fill('viewer1.operateur1.fr');
  await page.getByLabel('CGI signées').setInputFiles(cfg.cgi);
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  await page.waitForSelector('#erreurs');
  await auditer('formulaire de déclaration avec une erreur', true);

  await page.getByLabel('SIREN des clients').fill(cfg.sirens);
  await page.getByLabel('CGI signées').setInputFiles(cfg.cgi);
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  await page.waitForSelector('#confirmation');
  const num = (await page.locator('h1').textContent()).match(/D-\d{4}-\d{6}/);
  if (!num) throw new Error('pas de numéro de demande');
  await auditer('demande (opérateur)', true);
  await logout();
  return num[0];
}

async function ans(num) {
  await login('ans');
  await auditer('back office : liste des demandes', true);
  await page.getByRole('link', { name: num }).click();
  await auditer('back office : demande');
  await page.getByRole('button', { name: 'Prendre en instruction' }).click();
  await page.waitForSelector('#confirmation');
  await auditer('back office : demande en instruction');
  await page.getByLabel('ID registre à attribuer').fill('350');
  await page.getByRole('button', { name: 'Accepter', exact: true }).click();
  await page.waitForSelector('#confirmation');
  await auditer('back office : demande acceptée', true);
  await page.getByRole('link', { name: 'Registre National' }).click();
  await auditer('back office : Registre National', true);
  await menu('ANS');
  await logout();
}

// installee audits the operator's pages once its DRIMboxes have FQDNs:
// the dashboard, every page of the menu, the form of every type of
// demande and the integration form with its certificate fields.
async function installee(num) {
  await login('op');
  await auditer('tableau de bord opérateur avec des DRIMbox');
  await page.getByRole('link', { name: num }).first().click();
  await auditer('demande acceptée (opérateur)');
  await page.goto(`${cfg.base}/espace/nouvelle-demande/`);
  await menu('opérateur', await liens('#types a'));
  await page.goto(`${cfg.base}/espace/nouvelle-demande/integration`);
  await page.getByLabel('Installation (ID registre)').selectOption('350');
  await page.getByRole('button', { name: 'Afficher les FQDN DRIMbox' }).click();
  await page.waitForSelector('#certificat-0');
  await auditer("formulaire d'intégration", true);
  await logout();
}

try {
  const num = await operateur();
  await ans(num);
  await installee(num);
  console.log(JSON.stringify(report));
} catch (err) {
  const text = await page.locator('main').innerText().catch(() => '');
  console.error(`${err.stack}\nURL : ${page.url()}\n${text}`);
  process.exitCode = 1;
} finally {
  await context.close();
}
