// Logging in and out of the Confiance portal, shared by its browser
// scripts. session(page, cfg) returns {login, logout} bound to the page
// and to the CONFIG_JSON the scripts read ({base, comptes: {op: [email,
// password], ans: [email, password]}}).
export function session(page, cfg) {
  // login logs the account who (op or ans) in through the login form.
  async function login(who) {
    await page.goto(`${cfg.base}/portail`);
    const [email, password] = cfg.comptes[who];
    await page.locator('#email').fill(email);
    await page.locator('#mot-de-passe').fill(password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.waitForSelector('#connecte');
  }

  // logout logs the person out and waits for the login page.
  async function logout() {
    await page.locator('#deconnexion').click();
    await page.waitForURL(/connexion/);
  }

  return { login, logout };
}
