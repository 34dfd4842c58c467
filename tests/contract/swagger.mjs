// Opens the interactive documentation (Swagger UI, served by the service) in headless
// Chromium, signs in with the bearer token through its Authorize dialog, and on every GET
// operation presses "Try it out" and "Execute" exactly as a person would, with the
// values the document pre-fills. Prints, per operation, the status and media type the
// browser received.
//
//   node swagger.mjs BASE CHROMIUM_PATH TOKEN
import { createRequire } from "node:module";

const require = createRequire(process.env.PLAYWRIGHT_CORE_FROM + "/");
const { chromium } = require("playwright-core");
const [base, executablePath, token] = process.argv.slice(2);

const browser = await chromium.launch({
  executablePath,
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run"],
});
const results = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${base}/docs/`);
  await page.waitForSelector(".opblock", { timeout: 20000 });

  // Authorize: the bearer scheme's field only (a partner key stays optional).
  await page.click("button.authorize");
  const bearer = page.locator(".auth-container", { hasText: "bearer" });
  await bearer.locator("input").fill(token);
  await bearer.locator("button.authorize").click();
  await page.click("button.btn-done");

  const blocks = page.locator(".opblock.opblock-get");
  const count = await blocks.count();
  for (let i = 0; i < count; i++) {
    const block = blocks.nth(i);
    const path = await block.locator(".opblock-summary-path").getAttribute("data-path");
    await block.locator(".opblock-summary-control").click();
    await block.locator("button.try-out__btn").click();
    const answered = page.waitForResponse(
      (r) => r.request().method() === "GET" && new URL(r.url()).pathname !== "/docs/" &&
             !r.url().includes("/docs/") && !r.url().endsWith("/openapi.json"),
      { timeout: 20000 },
    );
    await block.locator("button.execute").click();
    const response = await answered;
    results.push({
      path,
      url: response.url(),
      status: response.status(),
      contentType: response.headers()["content-type"] || null,
    });
    // Collapse it again, so the next block is where the page shows it.
    await block.locator(".opblock-summary-control").click();
  }
  results.push({ errors });
} finally {
  await browser.close();
}
console.log(JSON.stringify(results));
