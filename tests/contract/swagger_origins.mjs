// Opens the interactive documentation as a partner developer does, at a host name that
// is not loopback (mapped to the test server by Chromium's resolver; every other name
// resolves to nothing, so no request can leave the machine), waits until the page is
// quiet, and prints every request the page made, with its URL.
//
//   node swagger_origins.mjs DOCS_URL CHROMIUM_PATH HOST PORT
import { createRequire } from "node:module";

const require = createRequire(process.env.PLAYWRIGHT_CORE_FROM + "/");
const { chromium } = require("playwright-core");
const [url, executablePath, host] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run",
         `--host-resolver-rules=MAP ${host} 127.0.0.1, MAP * ~NOTFOUND`],
});
const requests = [];
let operations = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on("request", (r) => requests.push(r.url()));
  await page.goto(url);
  await page.waitForSelector(".opblock", { timeout: 20000 });
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(1500);
  operations = await page.locator(".opblock").count();
} finally {
  await browser.close();
}
console.log(JSON.stringify({ operations, requests }));
