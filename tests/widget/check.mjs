// Opens partner pages that embed the widget in headless Chromium (driven by
// playwright-core), and prints what a reader gets as JSON; saves a screenshot.
//
//   node check.mjs DIRECTORY_BASE SCREENSHOT_PATH CHROMIUM_PATH
import http from "node:http";
import { createRequire } from "node:module";

const require = createRequire(process.env.PLAYWRIGHT_CORE_FROM + "/");
const { chromium } = require("playwright-core");
const [base, screenshot, executablePath] = process.argv.slice(2);

const pages = {
  "/sl.html": `<!doctype html><html lang="sl"><head><meta charset="utf-8"><title>Partner</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em">
<h1>Plesni razpisi</h1>
<div data-mobility-directory data-query="type=residency,fellowship,travel_grant,project_grant" data-limit="4"></div>
<script src="${base}/widget.js" async></script></body></html>`,
  "/en.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner</title></head>
<body><div data-mobility-directory data-query="type=residency,fellowship,travel_grant,project_grant" data-limit="4"></div>
<script src="${base}/widget.js"></script></body></html>`,
  "/tracked.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"></head>
<body><div data-mobility-directory data-query="type=residency&utm_source=newsletter&utm_medium=email&fbclid=IwAR0abc&gclid=Cj0abc&_=1733300000000"></div>
<script src="${base}/widget.js"></script></body></html>`,
  "/broken.html": `<!doctype html><html lang="sl"><head><meta charset="utf-8"></head>
<body><div data-mobility-directory data-query="colour=red"></div>
<script src="${base}/widget.js"></script></body></html>`,
  "/empty.html": `<!doctype html><html lang="en"><head><meta charset="utf-8"></head>
<body><div data-mobility-directory data-query="q=zzzzqqqq"></div>
<script src="${base}/widget.js"></script></body></html>`,
};
const server = http.createServer((req, res) => {
  if (req.url === "/favicon.ico") {
    res.writeHead(204);
    return res.end();
  }
  const body = pages[req.url];
  res.writeHead(body ? 200 : 404, { "content-type": "text/html; charset=utf-8" });
  res.end(body || "");
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const site = `http://127.0.0.1:${server.address().port}`;

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
});
const out = {};
try {
  for (const name of ["sl", "en", "empty", "tracked", "broken"]) {
    // The reader is in New York: deadlines show in their local time.
    const context = await browser.newContext({ timezoneId: "America/New_York", viewport: { width: 800, height: 600 } });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(`${site}/${name}.html`);
    await page.waitForSelector(".mdw-list, .mdw-status:not(:empty)", { timeout: 15000 });
    await page.waitForFunction(() => {
      const s = document.querySelector(".mdw-status");
      return document.querySelector(".mdw-list") || (s && !/…$/.test(s.textContent));
    }, null, { timeout: 15000 });
    out[name] = await page.evaluate(() => {
      const section = document.querySelector("section.mdw");
      return {
        label: section.getAttribute("aria-label"),
        status: (document.querySelector(".mdw-status") || {}).textContent || null,
        items: [...document.querySelectorAll("ul.mdw-list > li")].map((li) => {
          const a = li.querySelector("a");
          const time = li.querySelector("time");
          return {
            text: a.textContent,
            href: a.href,
            meta: li.querySelector(".mdw-meta").textContent,
            datetime: time && time.getAttribute("datetime"),
            shown: time && time.textContent,
          };
        }),
        frameworks: ["React", "Vue", "angular", "jQuery"].filter((f) => f in window),
      };
    });
    out[name].errors = errors;
    out[name].role = await page.evaluate(() => {
      const ul = document.querySelector("ul.mdw-list");
      return ul ? ul.tagName : null;
    });
    if (name === "sl") await page.screenshot({ path: screenshot, fullPage: true });
    await context.close();
  }
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(out));
