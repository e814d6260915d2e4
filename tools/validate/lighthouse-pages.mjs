// Lighthouse over many pages with one Chrome: `node lighthouse-pages.mjs OUT.json URL...`.
// Writes [{url, scores: {category: score}, cls, failing: [audit ids]}]. The pauses that wait for
// a network to go quiet are shortened: the pages come from a static server on this machine.
import fs from 'node:fs';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';

const [out, ...urls] = process.argv.slice(2);
const config = {
  extends: 'lighthouse:default',
  settings: {
    onlyCategories: ['performance', 'accessibility', 'best-practices', 'seo'],
    formFactor: 'mobile', throttlingMethod: 'simulate',
    pauseAfterFcpMs: 250, pauseAfterLoadMs: 250, networkQuietThresholdMs: 250, cpuQuietThresholdMs: 250,
  },
};
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run'],
});
const results = [];
try {
  for (const url of urls) {
    const { lhr } = await lighthouse(url, { port: chrome.port, logLevel: 'error' }, config);
    const scores = Object.fromEntries(Object.entries(lhr.categories).map(([k, c]) => [k, c.score]));
    const audited = new Set(['accessibility', 'best-practices', 'seo']
      .flatMap((c) => lhr.categories[c].auditRefs.filter((r) => r.weight > 0).map((r) => r.id)));
    const failing = [...audited].filter((id) => lhr.audits[id].score !== null && lhr.audits[id].score < 1)
      .map((id) => `${id}: ${lhr.audits[id].title}`);
    results.push({ url, final: lhr.finalDisplayedUrl, scores, cls: lhr.audits['cumulative-layout-shift'].numericValue, failing,
                   error: lhr.runtimeError ? lhr.runtimeError.message : null });
  }
} finally {
  await chrome.kill();
}
fs.writeFileSync(out, JSON.stringify(results, null, 1));
