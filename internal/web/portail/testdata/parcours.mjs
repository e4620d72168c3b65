// Drives situations 1 and 2 of the ANS guide in the Confiance portal with
// headless Chromium, as a person clicks: node parcours.mjs CONFIG_JSON.
// CONFIG_JSON: {base, mailpit, captures, profil, tmp, cgi, va, sirens,
// destinataire, equipe, comptes: {op: [email, password], ans: [email,
// password]}}: destinataire is the operator's project contact, equipe the
// DRIM-M team's address, each expected among the recipients of its mails.
// Prints a JSON report on stdout; any failed expectation exits non-zero.
import { ouvrir } from '../../ui/testdata/navigateur.mjs';
import { session } from './session.mjs';

const cfg = JSON.parse(process.argv[2]);
const { context, page } = await ouvrir(cfg.profil, { acceptDownloads: true });
const { logout } = session(page, cfg);
const report = { Numeros: [], Captures: [], Mails: [], Exclu: '', Attestation: '' };

function check(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function capture(name) {
  const path = `${cfg.captures}/${name}.png`;
  await page.screenshot({ path, fullPage: true });
  report.Captures.push(path);
}

// mail waits until Mailpit received a mail whose subject contains text,
// and checks it was sent to the address to (the operator's project
// contact unless told).
async function mail(text, to = cfg.destinataire) {
  const deadline = Date.now() + 20000;
  while (Date.now() < deadline) {
    const resp = await fetch(`${cfg.mailpit}/messages?limit=200`);
    const { messages } = await resp.json();
    const m = (messages || []).find((x) => x.Subject.includes(text));
    if (m) {
      const dest = (m.To || []).map((a) => a.Address);
      check(dest.includes(to), `mail « ${m.Subject} » envoyé à ${dest}, attendu ${to}`);
      report.Mails.push(m.Subject);
      return m;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`aucun mail « ${text} » dans Mailpit`);
}

// recue checks the two mails of a demande filed: its receipt to the
// operator, the notice to the DRIM-M team; the operator, logged in,
// follows the link of its receipt to the demande.
async function recue(num) {
  const m = await mail(`Demande ${num} reçue`);
  await mail(`Nouvelle demande ${num}`, cfg.equipe);
  const { Text } = await (await fetch(`${cfg.mailpit}/message/${m.ID}`)).json();
  const lien = Text.match(/Suivre la demande : (\S+)/);
  check(lien, `pas de lien dans le mail « ${m.Subject} »`);
  await page.goto(lien[1]);
  const h1 = await page.locator('h1').textContent();
  check(h1.includes(num), `le lien ${lien[1]} du mail mène à « ${h1} »`);
}

async function login(who) {
  await page.goto(`${cfg.base}/portail`);
  const [email, password] = cfg.comptes[who];
  await page.getByLabel('Adresse électronique').or(page.locator('#email')).first().fill(email);
  await page.locator('#mot-de-passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.waitForSelector('#connecte');
}

async function confirmed(text) {
  const msg = await page.locator('#confirmation').textContent();
  check(msg.includes(text), `confirmation « ${msg} », attendu « ${text} »`);
}

// numero reads the number of the demande shown.
async function numero() {
  const h1 = await page.locator('h1').textContent();
  const n = h1.match(/D-\d{4}-\d{6}/);
  check(n, `pas de numéro de demande dans « ${h1} »`);
  report.Numeros.push(n[0]);
  return n[0];
}

async function nouvelle(libelle) {
  await page.getByRole('link', { name: 'Nouvelle demande' }).first().click();
  await page.getByRole('link', { name: libelle }).click();
}

// questionReponse: ANS takes the demande into instruction and asks the
// operator a question, which the operator answers from its space.
async function questionReponse(num) {
  await login('ans');
  await page.getByRole('link', { name: num }).click();
  await page.getByRole('button', { name: 'Prendre en instruction' }).click();
  await confirmed("en cours d'instruction");
  await page.getByLabel("Question à l'opérateur").fill('Merci de préciser le site du PACS 2.');
  await page.getByRole('button', { name: 'Demander des informations' }).click();
  await confirmed("demande d'information a été envoyée");
  await mail(`Demande ${num} : information complémentaire demandée`);
  await logout();
  await login('op');
  await page.getByRole('link', { name: num }).first().click();
  await page.getByLabel('Votre réponse').fill('Le PACS 2 est au site de Lyon.');
  await page.getByRole('button', { name: 'Envoyer la réponse' }).click();
  await confirmed('transmise');
  await mail(`Demande ${num} : complément reçu`, cfg.equipe);
  await logout();
}

// instruireEtAccepter: ANS opens the demande from its list, takes it into
// instruction unless it already is, and accepts it.
async function instruireEtAccepter(num, idRegistre) {
  await login('ans');
  await page.getByRole('link', { name: num }).click();
  const instruire = page.getByRole('button', { name: 'Prendre en instruction' });
  if (await instruire.count() > 0) {
    await instruire.click();
    await confirmed("en cours d'instruction");
  }
  if (idRegistre) {
    await page.getByLabel('ID registre à attribuer').fill(idRegistre);
  }
  await page.getByRole('button', { name: 'Accepter', exact: true }).click();
  await confirmed('acceptée');
}

async function declarer() {
  await login('op');
  await capture('01-tableau-de-bord');
  await nouvelle("Déclaration d'une nouvelle DRIMbox");
  // With htmx, changing the number of PACS swaps the rows in place...
  const nombre = page.getByLabel('Combien de PACS');
  await nombre.fill('3');
  await nombre.press('Tab');
  await page.waitForSelector('#pacs-2');
  check(!page.url().includes('nombrePacs'), 'la page a été rechargée');
  // ...and without JavaScript, the button reloads the form with them.
  await nombre.fill('2');
  await page.getByRole('button', { name: 'Afficher les lignes des PACS' }).click();
  await page.waitForURL(/nombrePacs=2/);
  await page.waitForSelector('#pacs-1');
  check(await page.locator('#pacs-2').count() === 0, 'trois lignes de PACS pour deux');
  await page.getByLabel('SIREN des clients').fill('123456789');
  for (const i of [0, 1]) {
    await page.locator(`#pacs-${i}`).getByLabel('Nom d\'hôte du serveur DRIMbox').fill(`drimbox${i + 1}.operateur1.fr`);
    await page.locator(`#pacs-${i}`).getByLabel('Nom d\'hôte de la visionneuse').fill(`viewer${i + 1}.operateur1.fr`);
  }
  await page.getByLabel('CGI signées').setInputFiles(cfg.cgi);
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  // A wrong SIREN: the summary has the focus, the message is by the field.
  await page.waitForSelector('#erreurs');
  const focus = await page.evaluate(() => document.activeElement && document.activeElement.id);
  check(focus === 'erreurs', `focus sur « ${focus} », attendu le résumé des erreurs`);
  check((await page.locator('#f-sirens-erreur').textContent()).includes('SIREN'), 'erreur SIREN absente');
  await capture('02-declaration-erreur');
  await page.getByLabel('SIREN des clients').fill(cfg.sirens);
  await page.getByLabel('CGI signées').setInputFiles(cfg.cgi);
  await page.getByLabel('Compléments').fill('Site de Paris, deux PACS.');
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  await confirmed('déposée');
  const num = await numero();
  await capture('03-declaration-deposee');
  await recue(num);
  await logout();
  return num;
}

async function attestations() {
  await login('op');
  const [dl] = await Promise.all([page.waitForEvent('download'),
    page.getByRole('link', { name: 'Télécharger les attestations (PDF)' }).first().click()]);
  report.Attestation = `${cfg.tmp}/attestations.pdf`;
  await dl.saveAs(report.Attestation);
}

async function integrer() {
  await nouvelle("Intégration d'une nouvelle DRIMbox à l'EDC");
  await page.getByLabel('Installation (ID registre)').selectOption('350');
  await page.getByRole('button', { name: 'Afficher les FQDN DRIMbox' }).click();
  await page.getByLabel('Nom du service').fill('Support Opérateur 1');
  await page.getByLabel('Numéro de téléphone').fill('01 23 45 67 89');
  await page.getByLabel('Adresse e-mail générique').fill('support@operateur1.fr');
  const sets = page.locator('fieldset[id^="certificat-"]');
  for (let i = 0; i < await sets.count(); i++) {
    const fs = sets.nth(i);
    const fqdn = await fs.locator('input[type=hidden]').inputValue();
    await fs.getByLabel('CN (Common Name)').fill(fqdn);
    await fs.getByLabel('OU (Organizational Unit)').fill('10B0174462');
    await fs.getByLabel('O (Organization)').fill('Opérateur 1');
    await fs.getByLabel('ST (State)').fill('Paris (75)');
    await fs.getByLabel('C (Country)').fill('FR');
  }
  await capture('05-integration');
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  await confirmed('déposée');
  const num = await numero();
  await recue(num);
  await logout();
  return num;
}

async function documentVA() {
  await login('op');
  await page.getByRole('link', { name: 'Fournir le document' }).first().click();
  await page.getByLabel('Document de VA signé').setInputFiles(cfg.va);
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  await confirmed('déposée');
  const num = await numero();
  await capture('06-document-va');
  await recue(num);
  await logout();
  return num;
}

async function exclure() {
  await login('ans');
  await page.getByRole('link', { name: 'Registre National' }).click();
  const row = page.locator('#points tbody tr').first();
  report.Exclu = (await row.locator('td').nth(2).textContent()).trim();
  await row.getByLabel('Motif de l\'exclusion').fill('Vulnérabilité critique non corrigée');
  await row.getByRole('button', { name: 'Exclure' }).click();
  await confirmed('exclue');
  await capture('07-exclusion');
  await mail(`Exclusion de la DRIMbox ${report.Exclu}`);
  await logout();
}

async function reintegrer() {
  await login('op');
  check((await page.locator('#points').textContent()).includes('exclue'), 'exclusion invisible');
  await nouvelle("Réintégration d'une DRIMbox après exclusion");
  await page.getByLabel('FQDN de la DRIMbox exclue').fill(report.Exclu);
  await page.locator('label[for=motif-oui]').click(); // DSFR styles the label, not the input
  check(await page.getByLabel('Oui').isChecked(), 'motif cyber non coché');
  await page.getByLabel('Nouvelle version signée des CGI').setInputFiles(cfg.cgi);
  await page.getByRole('button', { name: 'Déposer la demande' }).click();
  await confirmed('déposée');
  const num = await numero();
  await capture('08-reintegration');
  await recue(num);
  await logout();
  return num;
}

try {
  const decl = await declarer();
  await questionReponse(decl);
  await instruireEtAccepter(decl, '350');
  await capture('04-ans-acceptation');
  await mail('Attestations de délégation disponibles : installation 350');
  await logout();
  await attestations();
  const integ = await integrer();
  await instruireEtAccepter(integ);
  await mail("Votre DRIMbox est intégrée à l'Espace de Confiance DRIM-M");
  await logout();
  const va = await documentVA();
  await instruireEtAccepter(va);
  await mail(`Demande ${va} acceptée`);
  await logout();
  await exclure();
  const re = await reintegrer();
  await instruireEtAccepter(re);
  await capture('09-ans-reintegration');
  await mail("Votre DRIMbox est réintégrée à l'Espace de Confiance DRIM-M");
  console.log(JSON.stringify(report));
} catch (err) {
  await page.screenshot({ path: `${cfg.tmp}/echec.png`, fullPage: true }).catch(() => {});
  const text = await page.locator('main').innerText().catch(() => '');
  console.error(`${err.stack}\nURL : ${page.url()}\n${text}`);
  process.exitCode = 1;
} finally {
  await context.close();
}
