// Drives the console in headless Chromium with playwright-core:
//   node console.mjs BASE_URL TOKEN INCIDENT_ID ACCESS_KEY SCREENSHOT_DIR CHROMIUM
// Signs in, finds the incident in the queue, opens it, plans deactivate-access-key on the key,
// approves and applies it (watching the status change), and moves the incident to contained.
import {createRequire} from 'node:module';
import {mkdirSync} from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH || '.', 'x.js'));
const {chromium} = require('playwright-core');
const [base, token, incident, key, shots, executable] = process.argv.slice(2);
const TIMEOUT = Number(process.env.CW_CONSOLE_TIMEOUT_MS || 60000);  // generous for ASan builds

function step(what) { console.log('ok   ' + what); }

mkdirSync(shots, {recursive: true});
const browser = await chromium.launch({executablePath: executable, args: ['--no-sandbox']});
let failed = false;
let page;
try {
  page = await browser.newPage({viewport: {width: 1280, height: 860}});
  page.setDefaultTimeout(TIMEOUT);
  page.on('dialog', (d) => d.accept());
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // The one expected failure: the 401 of the unknown token tried first.
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('401')) errors.push(m.text()); });

  await page.goto(base + '/');
  await page.fill('#token', 'not-a-token');
  await page.click('#sign-in');
  await page.waitForSelector('#login-error:text("not known")');
  step('an unknown token is refused');
  await page.fill('#token', token);
  await page.click('#sign-in');
  const row = page.locator(`#incidents tr[data-id="${incident}"]`);
  await row.waitFor();
  step('the incident made from the posted events is in the queue');
  await page.screenshot({path: path.join(shots, 'console-queue.png')});

  await row.click();
  await page.waitForSelector('#incident-title');
  await page.waitForSelector('#findings tbody tr');
  step('the incident page shows its findings and timeline');

  await page.selectOption('#plan-kind', 'deactivate-access-key');
  await page.fill('#plan-target', key);
  await page.click('#plan-submit');
  const action = page.locator('#actions tbody tr[data-action-id]').first();
  await action.locator('[data-status="planned"]').waitFor();
  if (!(await action.locator('button[data-action="apply"]').isDisabled())) throw new Error('apply is enabled before approval');
  step('the planned action waits for approval (apply disabled)');
  await page.screenshot({path: path.join(shots, 'console-plan.png')});

  await action.locator('button[data-action="approve"]').click();
  await page.locator('#actions [data-status="approved"]').waitFor();
  step('approve: the action is approved');
  await page.locator('#actions button[data-action="apply"]').click();
  await page.locator('#actions [data-status="applied"]').waitFor();
  step('apply: the action is applied');

  await page.selectOption('#new-status', 'contained');
  await page.fill('#note', 'key deactivated from the console');
  await page.click('button[type="submit"]:text("Save")');
  await page.locator('#facts [data-status="contained"]').waitFor();
  await page.locator('#journal li:has-text("key deactivated from the console")').waitFor();
  step('the incident is contained and the note is in the timeline');
  await page.screenshot({path: path.join(shots, 'console-incident.png'), fullPage: true});
  if (errors.length) throw new Error('browser errors: ' + errors.join('; '));
  step('no JavaScript errors');
} catch (e) {
  failed = true;
  console.error('FAIL ' + e.message);
  if (page) await page.screenshot({path: path.join(shots, 'failure.png'), fullPage: true}).catch(() => {});
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
