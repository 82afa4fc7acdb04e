// The dashboard in a real browser (Debian's Chromium, headless, driven by
// puppeteer-core), against the real stack tests/integration/
// test_dashboard_browser.sh started. Checks that the national table, each
// post's detail and the programme's numbers equal what successionctl
// reads from PostgreSQL; that a published event reaches the open page
// without a reload (and how long it took); that hostile ids stay text; that
// the page is keyboard-usable and fits a phone; and saves screenshots.
//
//   node dashboard.mjs test URL ARTIFACTS_DIR FLIP_EVENT_FILE HOSTILE_POST_ID
//   node dashboard.mjs capture URL OUT.png          (the national view, 1280 wide)
//
// Environment: SUCCESSION_WEB_MODULES (node_modules with puppeteer-core),
// SUCCESSION_BIN (successionctl), CHROMIUM (default /usr/bin/chromium).
import {execFileSync} from 'node:child_process';
import {mkdirSync, readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {join} from 'node:path';

const require = createRequire(join(process.env.SUCCESSION_WEB_MODULES, 'x.js'));
const puppeteer = require('puppeteer-core');
const WAIT_MS = 10000; // what "within a few seconds" allows at most

function check(ok, what) {
  if (!ok) throw new Error(what);
}

function equal(actual, expected, what) {
  const a = JSON.stringify(actual), e = JSON.stringify(expected);
  check(a === e, `${what}: expected ${e}, got ${a}`);
}

const ctl = (...args) => execFileSync(join(process.env.SUCCESSION_BIN, 'successionctl'), args, {encoding: 'utf8'});
const jsonLines = (text) => text.split('\n').filter(Boolean).map((line) => JSON.parse(line));

async function launch() {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
  });
}

// A page that fails the test on a script error, a console error (a
// Content-Security-Policy refusal is one) or a dialog (an injected script).
async function openPage(browser, url, problems) {
  const page = await browser.newPage();
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('dialog', async (d) => {
    problems.push(`a dialog opened: ${d.message()}`);
    await d.dismiss();
  });
  await page.setViewport({width: 1280, height: 800});
  await page.goto(url, {waitUntil: 'load'});
  return page;
}

async function go(page, hash, selector) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForSelector(selector, {timeout: WAIT_MS});
}

// --- what the page must show ---

function expectedRiskTable(statuses) {
  const table = {};
  for (const s of statuses) {
    if (!s.designated) continue;
    for (const region of [s.region, 'ALL']) {
      table[region] ||= {SEVERITY_CRITICAL: 0, SEVERITY_HIGH: 0, SEVERITY_MEDIUM: 0, SEVERITY_NONE: 0};
      table[region][s.severity] += 1;
    }
  }
  return table;
}

async function shownRiskTable(page) {
  return page.$$eval('[data-table=risk] [data-region]', (cells) => {
    const table = {};
    for (const c of cells) (table[c.dataset.region] ||= {})[c.dataset.severity] = parseInt(c.textContent, 10);
    return table;
  });
}

const sorted = (table) => Object.fromEntries(Object.keys(table).sort().map((k) => [k, table[k]]));

async function checkNational(page, what) {
  const statuses = jsonLines(ctl('status', '--json'));
  await go(page, '#/', '[data-table=risk]');
  // The page may still be taking the last changes: poll until it agrees.
  const want = sorted(expectedRiskTable(statuses));
  let got;
  for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline;) {
    got = sorted(await shownRiskTable(page));
    if (JSON.stringify(got) === JSON.stringify(want)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  equal(got, want, `${what}: the national table against successionctl status --json`);
  return statuses;
}

async function checkProgramme(page) {
  const report = jsonLines(ctl('report', '--json'));
  const national = report.find((x) => x.key === 'national');
  const fields = ['designated', 'atRisk', 'covered', 'simultaneousCover', 'sharedSuccessors', 'contendedPosts'];
  const shown = await page.$$eval('[data-summary]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.summary, parseInt(e.textContent, 10)])));
  equal(shown, Object.fromEntries(fields.map((f) => [f, national[f]])), 'the programme against report --json');
  for (const region of report.filter((x) => x.key.startsWith('region:'))) {
    const row = await page.$$eval(`[data-key="${region.key}"] td`, (tds) =>
      tds.map((td) => parseInt(td.lastChild.textContent, 10)));
    equal(row, [region.designated, region.atRisk, region.covered, region.simultaneousCover,
      region.sharedSuccessors, region.contendedPosts], `${region.key} against report --json`);
  }
}

async function checkPost(page, status) {
  await go(page, '#/post/' + encodeURIComponent(status.postId), '[data-field=readyNow]');
  await page.waitForFunction((id) => document.querySelector('[data-field=postId]').textContent === id,
    {timeout: WAIT_MS}, status.postId);
  const shown = await page.$$eval('[data-value]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.field, e.dataset.value])));
  equal(shown, {
    severity: status.severity, reasons: (status.reasons || []).join(' '),
    incumbentPersonId: status.incumbentPersonId || '', leavingDate: status.leavingDate || '',
    readyNow: String(status.readyNow), readySoon: String(status.readySoon), pipeline: String(status.pipeline),
  }, `${status.postId}: the detail against status --json`);
  const successors = await page.$$eval('[data-person]', (rows) =>
    rows.map((r) => [r.dataset.person, r.querySelectorAll('td')[1].lastChild.textContent]));
  equal(successors, (status.successors || []).map((x) => [x.personId, x.eligible ? 'Yes' : 'No']),
    `${status.postId}: successors and eligibility`);
}

// --- live ---

async function waitForLive(page) {
  await page.waitForFunction(() => document.getElementById('live-status').textContent.startsWith('Live'),
    {timeout: WAIT_MS});
}

async function checkLive(browser, url, flipFile, problems) {
  const flip = JSON.parse(readFileSync(flipFile, 'utf8'));
  const postId = flip.successorNominated.postId;
  const detail = await openPage(browser, `${url}#/post/${encodeURIComponent(postId)}`, problems);
  const feed = await openPage(browser, `${url}#/alerts`, problems);
  await detail.waitForSelector('[data-field=severity]');
  await feed.waitForSelector('h1');
  await Promise.all([waitForLive(detail), waitForLive(feed)]);
  const before = await detail.$eval('[data-field=severity]', (e) => e.dataset.value);
  check(before !== 'SEVERITY_NONE', `${postId} must be at risk before the event`);
  const lastAlert = await detail.$eval('[data-alert]', (e) => e.dataset.alert);
  const nextAlert = `${postId}#${parseInt(lastAlert.split('#').pop(), 10) + 1}`;
  for (const p of [detail, feed]) await p.evaluate(() => { window.notReloaded = true; });
  const t0 = Date.now();
  ctl('publish', flipFile);
  const seen = async (page, fn, arg) => {
    await page.waitForFunction(fn, {timeout: WAIT_MS, polling: 'mutation'}, arg);
    return Date.now() - t0;
  };
  const [detailMs, alertMs, feedMs] = await Promise.all([
    seen(detail, () => document.querySelector('[data-field=severity]').dataset.value === 'SEVERITY_NONE'),
    seen(detail, (id) => !!document.querySelector(`[data-alert="${id}"]`), nextAlert),
    seen(feed, (id) => !!document.querySelector(`[data-alert="${id}"]`), nextAlert),
  ]);
  for (const p of [detail, feed]) check(await p.evaluate(() => window.notReloaded === true), 'the page reloaded');
  const state = await feed.$eval(`[data-alert="${nextAlert}"]`, (r) => r.textContent);
  check(state.includes('Resolved'), `the feed shows ${nextAlert} resolved`);
  console.log(`publish to page: post detail ${detailMs} ms, its alert ${alertMs} ms, live feed ${feedMs} ms`);
  await feed.close();
  return detail;
}

// --- hostile ids, keyboard, phone ---

async function checkHostile(page, postId) {
  await go(page, '#/post/' + encodeURIComponent(postId), '[data-field=readyNow]');
  const shown = await page.evaluate(() => ({
    id: document.querySelector('[data-field=postId]').textContent,
    organisation: document.querySelector('[data-field=organisation]').textContent,
    person: [...document.querySelectorAll('[data-person]')].map((r) => r.dataset.person),
    scripts: document.scripts.length,
    injected: document.querySelectorAll('#view img, #view script, #view iframe, [onerror]').length,
  }));
  equal(shown.id, postId, 'the hostile post id, as text');
  check(shown.organisation.includes('<img src=x onerror=alert(1)>'), 'the hostile organisation name, as text');
  check(shown.person.some((p) => p.includes('<b>')), 'the hostile person id, as text');
  equal([shown.scripts, shown.injected], [1, 0], 'no element came from an id');
  await go(page, '#/posts?q=' + encodeURIComponent('<script'), '[data-table=posts]');
  const listed = await page.$$eval('[data-post-link]', (links) => links.map((a) => a.textContent));
  equal(listed, [postId], 'the hostile post found by searching, as text');
}

// On a page just opened, Tab reaches the skip link first, and a post's link
// opens its detail with Enter.
async function checkKeyboard(browser, url, problems) {
  const page = await openPage(browser, `${url}#/posts`, problems);
  await page.waitForSelector('[data-post-link]', {timeout: WAIT_MS});
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => document.activeElement.className);
  check(first.includes('nhsuk-skip-link'), `the first Tab reaches the skip link (got ${first})`);
  const id = await page.$eval('[data-post-link]', (a) => { a.focus(); return a.dataset.postLink; });
  await page.keyboard.press('Enter');
  await page.waitForFunction((want) => document.querySelector('[data-field=postId]')?.textContent === want,
    {timeout: WAIT_MS}, id);
  await page.close();
}

// --- screenshots ---

async function screenshot(page, path, width, height) {
  // Headless Chromium does not paint a tab in the background, and a capture
  // of one waits for a frame that never comes: later checks open tabs of
  // their own, so the tab to capture comes to the front first.
  await page.bringToFront();
  await page.setViewport({width, height});
  await new Promise((r) => setTimeout(r, 300)); // a frame for the new width
  const png = await page.screenshot({path});
  equal([png.readUInt32BE(16), png.readUInt32BE(20)], [width, height], `${path}: width and height`);
  // Not blank: many colours, none covering nearly all of it.
  const browser = page.browser();
  const probe = await browser.newPage();
  const {colours, commonest} = await probe.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const canvas = Object.assign(document.createElement('canvas'), {width: img.width, height: img.height});
    const g = canvas.getContext('2d');
    g.drawImage(img, 0, 0);
    const data = g.getImageData(0, 0, img.width, img.height).data;
    const counts = new Map();
    for (let i = 0; i < data.length; i += 4) {
      const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      counts.set(key, (counts.get(key) || 0) + 1);
    }
    return {colours: counts.size, commonest: Math.max(...counts.values()) / (data.length / 4)};
  }, png.toString('base64'));
  await probe.close();
  check(colours > 50 && commonest < 0.95, `${path} looks blank (${colours} colours, ${commonest})`);
  console.log(`screenshot ${path}: ${width}x${height}, ${colours} colours`);
}

async function checkPhone(page) {
  await go(page, '#/', '[data-table=risk]');
  await page.setViewport({width: 390, height: 844});
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the national view is ${overflow}px wider than a phone`);
}

// --- runs ---

async function test([url, artifacts, flipFile, hostileId]) {
  mkdirSync(artifacts, {recursive: true});
  const t0 = Date.now();
  const problems = [];
  const browser = await launch();
  try {
    const page = await openPage(browser, url, problems);
    await waitForLive(page);
    const statuses = await checkNational(page, 'before the event');
    await checkProgramme(page);
    await screenshot(page, join(artifacts, 'national.png'), 1280, 800);
    for (const s of statuses) await checkPost(page, s);
    await checkHostile(page, hostileId);
    const detail = await checkLive(browser, url, flipFile, problems);
    await screenshot(detail, join(artifacts, 'post-detail.png'), 1280, 800);
    await checkNational(page, 'after the event');
    await checkKeyboard(browser, url, problems);
    await checkPhone(page);
    await screenshot(page, join(artifacts, 'national-phone.png'), 390, 844);
    equal(problems, [], 'errors in the page');
  } finally {
    await browser.close();
  }
  console.log(`browser checks passed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function capture([url, out]) {
  const browser = await launch();
  try {
    const page = await openPage(browser, url, []);
    await page.waitForSelector('[data-table=risk]', {timeout: WAIT_MS});
    await waitForLive(page);
    await page.screenshot({path: out, fullPage: true});
  } finally {
    await browser.close();
  }
}

const [mode, ...args] = process.argv.slice(2);
(mode === 'capture' ? capture(args) : test(args)).catch((error) => {
  console.error(`FAIL dashboard in the browser: ${error.message}`);
  process.exit(1);
});
