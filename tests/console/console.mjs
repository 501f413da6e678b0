// Drives the console in headless Chromium with playwright-core:
//   node console.mjs BASE_URL TOKEN INCIDENT_ID ACCESS_KEY SCREENSHOT_DIR CHROMIUM PLAYBOOKS_JSON
// Signs in, finds the incident in the queue, checks the rule browser, checks the playbook browser
// and the compromised-access-key page against the bundled playbooks (PLAYBOOKS_JSON, read from
// playbooks/*.yml by check_console.py), opens the incident, plans the playbook that fits it (a dry
// run: no action is stored), plans deactivate-access-key on the key, approves and applies it
// (watching the status change), and moves the incident to contained.
import {createRequire} from 'node:module';
import {mkdirSync, readFileSync} from 'node:fs';
import path from 'node:path';

const require = createRequire(path.join(process.env.NODE_PATH || '.', 'x.js'));
const {chromium} = require('playwright-core');
const [base, token, incident, key, shots, executable, playbooksJson] = process.argv.slice(2);
const bundled = JSON.parse(readFileSync(playbooksJson, 'utf8'));
const TIMEOUT = Number(process.env.CW_CONSOLE_TIMEOUT_MS || 60000);  // generous for ASan builds

function step(what) { console.log('ok   ' + what); }
function check(ok, what) { if (!ok) throw new Error(what); }
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

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

  // The rule browser: the rule behind the incident, found with the search box.
  await page.click('#nav-rules');
  await page.fill('#rule-filter', 'IAM User Created');
  const ruleRow = page.locator('main table tbody tr:has-text("AWS IAM User Created")');
  await ruleRow.waitFor();
  check((await ruleRow.textContent()).includes('attack.persistence'), 'the rule row has no ATT&CK tag');
  step('the rule browser finds "AWS IAM User Created" with its ATT&CK tags');

  // The playbook browser: every bundled playbook, with its title and step count.
  await page.click('#nav-playbooks');
  await page.locator('#playbooks tbody tr').first().waitFor();
  const listed = await page.locator('#playbooks tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    id: tr.dataset.playbook, title: tr.querySelector('a').textContent, steps: Number(tr.querySelector('.step-count').textContent),
    phases: [...tr.querySelectorAll('[data-phase]')].map((e) => e.dataset.phase)})));
  const want = bundled.map((p) => ({id: p.id, title: p.title, steps: p.steps.length,
    phases: [...new Set(p.steps.map((s) => s.phase))]})).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  check(same(listed, want), `the playbook list ${JSON.stringify(listed)} is not the bundled ${JSON.stringify(want)}`);
  step(`the playbook browser lists the ${want.length} bundled playbooks with titles, step counts and phases`);
  await page.screenshot({path: path.join(shots, 'console-playbooks.png')});
  await page.fill('#playbook-filter', 'deactivate-access-key');
  const withKeyAction = bundled.filter((p) => p.steps.some((s) => s.action === 'deactivate-access-key')).map((p) => p.id).sort();
  check(same(await page.locator('#playbooks tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.playbook)), withKeyAction),
    'filtering by deactivate-access-key does not leave ' + withKeyAction.join(', '));
  step('the filter by action leaves ' + withKeyAction.join(', '));

  // One playbook's page: its steps in order with phase, action, target selector, approval gate
  // and required steps, as in playbooks/compromised_access_key.yml.
  const keyBook = bundled.find((p) => p.id === 'compromised-access-key');
  await page.click('#playbooks tr[data-playbook="compromised-access-key"] a');
  await page.locator('#playbook-title').waitFor();
  check((await page.textContent('#playbook-title')) === keyBook.title, 'the playbook page has the wrong title');
  const shown = await page.locator('#playbook-steps tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    id: tr.dataset.step, phase: tr.querySelector('[data-phase]').dataset.phase,
    action: tr.querySelector('.step-action') ? tr.querySelector('.step-action').textContent : '',
    targets: tr.cells[4].firstChild.textContent === '-' ? '' : tr.cells[4].firstChild.textContent,
    approval: tr.cells[5].querySelector('[data-gate]') !== null,
    requires: tr.querySelector('.requires').textContent === '-' ? [] : tr.querySelector('.requires').textContent.split(', ')})));
  const wantSteps = keyBook.steps.map((s) => ({id: s.id, phase: s.phase, action: s.action, targets: s.targets,
    approval: s.approval, requires: s.requires}));
  check(same(shown, wantSteps), `the steps ${JSON.stringify(shown)} are not the playbook's ${JSON.stringify(wantSteps)}`);
  step(`the compromised-access-key page shows its ${wantSteps.length} steps in order (phase, action, targets, approval, requires)`);
  await page.screenshot({path: path.join(shots, 'console-playbook.png'), fullPage: true});

  await page.click('#nav-incidents');
  await row.click();
  await page.waitForSelector('#incident-title');
  await page.waitForSelector('#findings tbody tr');
  step('the incident page shows its findings and timeline');

  // The playbook that fits the incident, and its dry-run plan: the key would be deactivated, the
  // steps come in the playbook's order, and nothing is stored as an action.
  const fit = page.locator('#matching-playbooks tr[data-playbook="compromised-access-key"]');
  await fit.waitFor();
  check((await fit.textContent()).includes(key), 'the fitting playbook does not name the key among its targets');
  await fit.locator('button[data-plan-playbook]').click();
  const keyStep = page.locator(`#playbook-plan-steps tr[data-step="deactivate-keys"][data-target="${key}"]`);
  await keyStep.waitFor();
  const keyPlan = await keyStep.textContent();
  check(keyPlan.includes('iam:UpdateAccessKey') && keyPlan.includes('Active -> Inactive'),
    'the plan of deactivate-keys does not show UpdateAccessKey Active -> Inactive: ' + keyPlan);
  const restrict = page.locator('#playbook-plan-steps tr[data-step="restrict-users"][data-target="svc-backup"]');
  check((await restrict.locator('[data-gate="playbook"]').count()) === 1, 'restrict-users on svc-backup is not gated by the playbook');
  const planned = await page.locator('#playbook-plan-steps tbody tr').evaluateAll((trs) => [...new Set(trs.map((tr) => tr.dataset.step))]);
  const order = keyBook.steps.map((s) => s.id).filter((id) => planned.includes(id));
  check(same(planned, order) && planned.includes('tell-owner'), `the plan's steps ${planned} are not in the playbook's order`);
  await page.locator('#dry-run').waitFor();
  check((await page.locator('#actions tbody tr[data-action-id]').count()) === 0, 'planning the playbook stored an action');
  step(`the incident's playbook compromised-access-key plans UpdateAccessKey on ${key} (dry run, no action stored)`);
  await page.locator('#incident-playbooks').screenshot({path: path.join(shots, 'console-playbook-plan.png')});

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
