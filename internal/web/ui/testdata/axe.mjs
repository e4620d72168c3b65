// Accessibility checks shared by the browser tests of the portal and of the
// Météo des services: axe-core's WCAG 2 A/AA rules on a page, and the
// keyboard path (skip link first, a field reachable, focus visible).
// The browser context must be created with bypassCSP: true, since the
// pages forbid inline scripts and axe-core is injected as one.

// WCAG is the set of axe-core tags run on every page: the WCAG 2 A and AA
// rules, and axe-core's best practices (landmarks, heading order), whose
// findings are mostly moderate and then only logged.
export const WCAG = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

// audit injects axe-core (the file axePath, axe.min.js) into the page and
// runs the WCAG rules; it returns the page name, its URL, the number of
// rules passed and each violation with its rule id, impact, help text and
// target selectors.
export async function audit(page, axePath, name) {
  if (!(await page.evaluate(() => typeof window.axe !== 'undefined'))) {
    await page.addScriptTag({ path: axePath });
  }
  const result = await page.evaluate(async (tags) => {
    const res = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return {
      Reussites: res.passes.length,
      Violations: res.violations.map((v) => ({
        Id: v.id,
        Impact: v.impact || '',
        Aide: v.help,
        Cibles: v.nodes.map((n) => n.target.join(' ')),
      })),
    };
  }, WCAG);
  return { Page: name, URL: page.url(), ...result };
}

// auditSombre audits the page in the dark theme: the system is made to
// ask for it and the DSFR's script, which the pages load with
// data-fr-scheme="system", switches the theme in place (no reload, so a
// page answering a form post can be audited too); the light theme is set
// back afterwards. A page without the DSFR's script cannot switch: the
// result is then an error.
export async function auditSombre(page, axePath, name) {
  const theme = (t) => page.waitForFunction(
    (want) => document.documentElement.getAttribute('data-fr-theme') === want, t);
  await page.emulateMedia({ colorScheme: 'dark' });
  await theme('dark');
  const res = await audit(page, axePath, `${name} (thème sombre)`);
  await page.emulateMedia({ colorScheme: 'light' });
  await theme('light');
  return res;
}

// describe names the focused element for a message.
function describe() {
  const e = document.activeElement;
  if (!e || e === document.body) return 'body';
  const text = (e.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''} « ${text} »`;
}

// isButton reports whether the focused element is a button.
function isButton() {
  return document.activeElement.tagName === 'BUTTON';
}

// focusVisible reports the outline of the focused element, or an empty
// string when the focus is not drawn.
function focusVisible() {
  const s = getComputedStyle(document.activeElement);
  const drawn = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  return drawn ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : '';
}

// clavier checks the keyboard path of the page at url: the first Tab from
// the top must reach the skip link to the content, its focus drawn. Tab
// presses must then reach the field (a CSS selector) when one is given,
// and the focus of the field and of the first button met on the way must
// be drawn. It returns the failures as French sentences (none when all is
// well).
export async function clavier(page, url, name, { champ = '' } = {}) {
  const fautes = [];
  const visible = async (what) => {
    if (!(await page.evaluate(focusVisible))) {
      fautes.push(`${name} : le focus ${what} n'est pas visible (outline: none)`);
    }
  };
  await page.goto(url);
  await page.keyboard.press('Tab');
  const skip = await page.evaluate(() => {
    const e = document.activeElement;
    return e && e.tagName === 'A' && e.getAttribute('href') === '#contenu';
  });
  if (!skip) {
    const first = await page.evaluate(describe);
    fautes.push(`${name} : la première tabulation atteint ${first}, pas le lien d'évitement`);
  } else {
    await visible("du lien d'évitement");
  }
  let button = false;
  for (let i = 0; i < 80 && (champ || !button); i++) {
    if (champ && (await page.evaluate((f) => document.activeElement.matches(f), champ))) {
      await visible(`du champ ${champ}`);
      champ = '';
    } else if (!button && (await page.evaluate(isButton))) {
      button = true;
      await visible(`du bouton ${await page.evaluate(describe)}`);
    }
    await page.keyboard.press('Tab');
  }
  if (champ) {
    fautes.push(`${name} : le champ ${champ} n'est pas atteint au clavier`);
  }
  return fautes;
}
