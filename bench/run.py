#!/usr/bin/env python3
"""The benchmark: load N synthetic entries through the project's own import, then drive the
running server with wrk and print every measure as a ratio to /healthz of the same process.

    python3 bench/run.py [--backend sqlite|postgres] [--entries N] [--duration SECONDS]
                         [--connections C] [--workers W] [--smoke] [--binary PATH]
                         [--import-only]

--smoke is the few-second run CI makes so that the scripts cannot rot: 300 entries, one
second per measure, no targets. Needs wrk (Debian package `wrk`) and, for PostgreSQL, a
server at BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and
pgbench. Data and databases live in a temporary directory and are removed afterwards.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import questions  # noqa: E402
ROOT = os.path.dirname(HERE)
PG_ADMIN = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Loopback has no network to protect: without TLS, unless PGSSLMODE says otherwise (it
# applies to the server, psql and pgbench alike; `PGSSLMODE=prefer` measures with TLS).
os.environ.setdefault("PGSSLMODE", "disable")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(method, url, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wrk(url, seconds, connections, threads, script=None, headers=()):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for header in headers:
        cmd += ["-H", header]
    if script:
        cmd += ["-s", script]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(p):
        m = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": latency(50), "p99": latency(99),
            "non2xx": int(non2xx.group(1)) if non2xx else 0,
            "socket_errors": errors.group(1) if errors else ""}


WARM_UP_SECONDS = 2


def first_answer_ms(url):
    """How long one request takes before the load, when its answer is not cached yet."""
    started = time.monotonic()
    with urllib.request.urlopen(url) as r:
        r.read()
    return (time.monotonic() - started) * 1000


def rotating_script(path, urls):
    """A wrk script that requests the given paths in turn. Each wrk thread starts at its
    own place in the list, so that threads do not ask the same paths at the same time."""
    with open(path, "w") as f:
        f.write("paths = {" + ",".join(json.dumps(u) for u in urls) + "}\n")
        f.write("threads = 0\n"
                "setup = function(thread)\n  thread:set('offset', threads)\n"
                "  threads = threads + 1\nend\n"
                "init = function(args)\n  i = (offset or 0) * 7919 % #paths\nend\n"
                "request = function()\n  i = i % #paths + 1\n"
                "  return wrk.format('GET', paths[i])\nend\n")
    return path


def one_at_a_time(base, paths):
    """Sends `paths` one after another; the median, 95th percentile and slowest, in ms,
    and how many answers were not 200."""
    times, bad = [], 0
    for path in paths:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(base + path, timeout=60) as r:
                r.read()
        except urllib.error.HTTPError as e:
            bad += 1
            print(f"  {e.code} for {path}: {e.read()[:200]!r}", file=sys.stderr)
        times.append((time.monotonic() - started) * 1000)
    times.sort()
    return {"p50": times[len(times) // 2], "p95": times[int(len(times) * 0.95) - 1],
            "max": times[-1], "n": len(times), "non200": bad}


class Writer(threading.Thread):
    """Changes one published entry's English summary once a second, through the staff
    API, as an editor at work does: the load under which readers must keep their speed."""

    def __init__(self, base, token, slugs):
        super().__init__(daemon=True)
        self.base, self.token, self.slugs = base, token, slugs
        self.stop_event = threading.Event()
        self.writes, self.failures = 0, 0

    def run(self):
        n = 0
        while not self.stop_event.wait(1.0 if n else 0):
            slug = self.slugs[n % len(self.slugs)]
            n += 1
            try:
                req = urllib.request.Request(f"{self.base}/api/v1/staff/opportunities/{slug}")
                req.add_header("authorization", f"Bearer {self.token}")
                with urllib.request.urlopen(req, timeout=30) as r:
                    tag = r.headers["ETag"]
                    summary = json.loads(r.read())["entry"]["summary"]
                summary["en"] = f"Changed by the bench writer, time {n}. " + (summary.get("en") or "")[:200]
                body = json.dumps({"summary": summary}).encode()
                req = urllib.request.Request(f"{self.base}/api/v1/opportunities/{slug}", data=body,
                                             method="PATCH")
                req.add_header("authorization", f"Bearer {self.token}")
                req.add_header("content-type", "application/merge-patch+json")
                req.add_header("if-match", tag)
                with urllib.request.urlopen(req, timeout=30) as r:
                    r.read()
                self.writes += 1
            except Exception as e:
                self.failures += 1
                print(f"  write failed: {e}", file=sys.stderr)

    def stop(self):
        self.stop_event.set()
        self.join(timeout=40)


class Server:
    def __init__(self, binary, env, log):
        self.proc = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)

    def wait_ready(self, base):
        for _ in range(300):
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=2) as r:
                    if r.status == 200:
                        return
            except Exception:
                pass
            if self.proc.poll() is not None:
                sys.exit("the server exited; see its log")
            time.sleep(0.2)
        sys.exit("the server did not become ready")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=40)


def partner_key(binary, env, base, work):
    """An admin, a partner and a key with a limit no measure reaches: the key's counter is
    measured, not its refusals."""
    password = "bench-admin-password-0123"
    subprocess.run([binary, "user", "add", "--email", "admin@example.org", "--role", "admin"],
                   input=password + "\n", text=True, env=env, cwd=work, check=True,
                   capture_output=True)
    status, body = http("POST", base + "/api/v1/auth/token",
                        {"email": "admin@example.org", "password": password})
    assert status == 200, body
    admin = body["access_token"]
    status, partner = http("POST", base + "/api/v1/partners", {"name": "Bench"}, admin)
    assert status == 201, partner
    status, key = http("POST", base + f"/api/v1/partners/{partner['id']}/keys",
                       {"name": "bench", "requests_per_minute": 1_000_000}, admin)
    assert status == 201, key
    return key["key"]


def load(binary, env, base, data, work):
    """Creates an editor, the organizations over HTTP, and imports the entries with the CLI."""
    password = "bench-editor-password-0123"
    subprocess.run([binary, "user", "add", "--email", "bench@example.org", "--role", "editor"],
                   input=password + "\n", text=True, env=env, cwd=work, check=True,
                   capture_output=True)
    status, body = http("POST", base + "/api/v1/auth/token",
                        {"email": "bench@example.org", "password": password})
    assert status == 200, body
    token = body["access_token"]
    with open(os.path.join(data, "organizations.json")) as f:
        for org in json.load(f):
            status, body = http("POST", base + "/api/v1/organizations", org, token)
            assert status == 201, body
    started = time.monotonic()
    timed = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "import",
                            os.path.join(data, "entries.json"), "--source", "bench", "--publish",
                            "--accept-closed"],
                           env=env, cwd=work, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if timed.returncode != 0:
        sys.exit("import failed:\n" + timed.stderr[-3000:])
    import_rss = int(timed.stderr.strip().splitlines()[-1]) / 1024
    return seconds, import_rss, token


def deep_cursor(base, pages):
    """The cursor of page `pages + 1` of the default list, by walking it."""
    url, cursor = base + "/api/v1/opportunities?limit=20", None
    for _ in range(pages):
        with urllib.request.urlopen(url + (f"&cursor={cursor}" if cursor else "")) as r:
            cursor = json.loads(r.read())["next"]
        if cursor is None:
            return None
    return cursor


def some_slugs(base, n):
    slugs, cursor = [], None
    while len(slugs) < n:
        url = base + "/api/v1/opportunities?limit=100&status=open,closed,rolling,upcoming,closing_soon"
        with urllib.request.urlopen(url + (f"&cursor={cursor}" if cursor else "")) as r:
            page = json.loads(r.read())
        slugs += [o["slug"] for o in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    return slugs[:n]


def pgbench_list(binary, env, seconds, connections, threads, work):
    """pgbench on the statements one request of the default list runs. They are captured
    from the PostgreSQL log of a second server process whose connections are opened with
    log_min_duration_statement = 0 for the bench database only."""
    db_url = env["DATABASE_URL"]
    dbname = urllib.parse.urlparse(db_url).path.lstrip("/")
    logs = [f"/var/log/postgresql/{f}" for f in os.listdir("/var/log/postgresql") if f.endswith(".log")]
    sizes = {p: os.path.getsize(p) for p in logs}
    subprocess.run(["psql", PG_ADMIN, "-qc", f"ALTER DATABASE {dbname} SET log_min_duration_statement = 0"], check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with open(os.path.join(work, "capture.log"), "w") as log:
        capture = Server(binary, dict(env, MOBILITY_BIND=f"127.0.0.1:{port}"), log)
        try:
            capture.wait_ready(base)
            marker = f"bench-marker-{time.time()}"
            subprocess.run(["psql", db_url, "-qc", f"SELECT '{marker}'"], check=True, capture_output=True)
            urllib.request.urlopen(base + "/api/v1/opportunities").read()
            time.sleep(0.5)
        finally:
            capture.stop()
            subprocess.run(["psql", PG_ADMIN, "-qc", f"ALTER DATABASE {dbname} RESET log_min_duration_statement"], check=True)
    text = ""
    for p in logs:
        with open(p, errors="replace") as f:
            f.seek(sizes[p])
            text += f.read()
    statements = parse_logged_statements(text, marker)
    if not statements:
        return None, 0
    script = os.path.join(work, "list.sql")
    with open(script, "w") as f:
        for sql in statements:
            f.write(" ".join(sql.split()) + ";\n")
    out = subprocess.run(["pgbench", "-n", "-M", "prepared", "-f", script, f"-c{connections}",
                          f"-j{threads}", f"-T{seconds}", db_url],
                         capture_output=True, text=True)
    m = re.search(r"tps = ([\d.]+)", out.stdout)
    return (float(m.group(1)) if m else None), len(statements)


def parse_logged_statements(text, marker):
    """The statements logged after `marker`, with their parameters substituted."""
    after = text.split(marker, 1)[-1]
    statements = []
    entries = re.split(r"\n(?=\S+ \S+ \S+ \[\d+\])", after)
    pending = None
    for entry in entries:
        m = re.search(r"LOG:\s+duration: [\d.]+ ms\s+(?:execute [^:]*|statement): (.*)", entry, re.S)
        if m:
            pending = m.group(1).strip()
            if "$1" not in pending:
                if pending.upper().startswith(("SELECT", "WITH")) and "bench-marker" not in pending:
                    statements.append(pending)
                pending = None
            continue
        d = re.search(r"DETAIL:\s+[Pp]arameters: (.*)", entry, re.S)
        if d and pending:
            params = dict(re.findall(r"(\$\d+) = ('(?:[^']|'')*'|NULL)", d.group(1)))
            sql = re.sub(r"\$\d+", lambda k: params.get(k.group(0), k.group(0)), pending)
            statements.append(sql)
            pending = None
    return statements


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--entries", type=int, default=100_000)
    p.add_argument("--duration", type=int, default=10)
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--keep", metavar="DIR",
                   help="work in DIR and keep it (data, database, logs) for a closer look")
    p.add_argument("--cache-mb", type=int, default=None,
                   help="MOBILITY_RESPONSE_CACHE_MB for the server (default: the service's default)")
    p.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "mobility-directory"))
    p.add_argument("--import-only", action="store_true",
                   help="measure the import alone: print its time and peak RSS, then stop")
    args = p.parse_args()
    args.binary = os.path.abspath(args.binary)
    if args.smoke:
        args.entries, args.duration = min(args.entries, 300), 1
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    work = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="md-bench-")
    os.makedirs(work, exist_ok=True)
    data = os.path.join(work, "data")
    subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), str(args.entries), data], check=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, MOBILITY_BIND=f"127.0.0.1:{port}", MOBILITY_WORKERS=str(args.workers),
               MOBILITY_JWT_SECRET="bench-secret-0123456789abcdef-0123456789", RUST_LOG="warn",
               # wrk sends everything from one address; the per-address limit would
               # measure itself. A partner key's counter is measured on its own below.
               MOBILITY_RATE_LIMIT_ANONYMOUS="0")
    if args.cache_mb is not None:
        env["MOBILITY_RESPONSE_CACHE_MB"] = str(args.cache_mb)
    db_name = None
    if args.backend == "postgres":
        db_name = f"md_bench_{os.getpid()}"
        subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {db_name}"], check=True)
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + db_name
    else:
        env["DATABASE_URL"] = f"sqlite://{work}/bench.sqlite3"
    log = open(os.path.join(work, "server.log"), "w")
    server = Server(args.binary, env, log)
    results = {}
    try:
        server.wait_ready(base)
        import_seconds, import_rss, editor = load(args.binary, env, base, data, work)
        if args.import_only:
            print(f"import: {import_seconds:.1f} s, peak RSS {import_rss:.0f} MB")
            return
        slugs = some_slugs(base, 1000)
        cursor = deep_cursor(base, 5 if args.smoke else 200)
        detail = rotating_script(os.path.join(work, "detail.lua"),
                                 [f"/api/v1/opportunities/{s}" for s in slugs])
        key = partner_key(args.binary, env, base, work)
        page = "/api/v1/opportunities?limit=100"
        measures = [
            ("healthz", "/healthz", None),
            ("detail", "/", detail),
            ("list, first page", "/api/v1/opportunities", None),
            ("list, discipline + eligible_country", "/api/v1/opportunities?discipline=dance&eligible_country=SI", None),
            ("list, type + covers", "/api/v1/opportunities?type=residency&covers=travel,accommodation", None),
            ("list, 200 pages deep", f"/api/v1/opportunities?limit=20&cursor={cursor}", None),
            ("search, two words", "/api/v1/opportunities?q=ceramics%20residency", None),
            ("search, two Slovenian words", "/api/v1/opportunities?q=rezidenca%20keramika", None),
            ("search-as-you-type, 3 letters", "/api/v1/opportunities?q=cer", None),
            ("list, six facets", "/api/v1/opportunities?facets=type,discipline,"
             "destination_country,covers,career_stage,status", None),
            ("list, 100 items", page, None),
            ("list, 100 items, gzip", page, None, ["Accept-Encoding: gzip"]),
            ("list, 100 items, brotli", page, None, ["Accept-Encoding: br"]),
            # The tag is read just before this measure (below): the soonest deadlines
            # close every few minutes at 100,000 entries, and the first page changes.
            ("list, 100 items, 304 revalidation", page, None, ["If-None-Match: {tag}"]),
            ("list, first page, partner key", "/api/v1/opportunities", None, [f"X-API-Key: {key}"]),
        ]
        rss_start = rss_mb(server.proc.pid)
        for name, path, script, *headers in measures:
            headers = headers[0] if headers else ()
            if any("{tag}" in h for h in headers):
                with urllib.request.urlopen(base + path) as r:
                    headers = [h.replace("{tag}", r.headers["ETag"]) for h in headers]
            first = first_answer_ms(base + (f"/api/v1/opportunities/{slugs[0]}" if script else path))
            # A warm-up whose figures are dropped: wrk corrects for coordinated omission,
            # so one stall at the start (the first, uncached answer, which every
            # connection waits for) would otherwise count as ~1% of a run's samples.
            wrk(base + path, min(WARM_UP_SECONDS, args.duration), args.connections, args.workers,
                script, headers)
            results[name] = wrk(base + path, args.duration, args.connections, args.workers, script,
                                headers)
            results[name]["first"] = first
        # The questions people ask: every URL different, so that no answer comes from the
        # response cache. The warm-up asks other URLs than the measure.
        many = 400 if args.smoke else 20_000
        distinct = rotating_script(os.path.join(work, "distinct.lua"),
                                   questions.distinct_urls(many, seed=1))
        warm = rotating_script(os.path.join(work, "distinct-warm.lua"),
                               questions.distinct_urls(many // 10, seed=2))
        wrk(base + "/", min(WARM_UP_SECONDS, args.duration), args.connections, args.workers, warm)
        results["different URLs"] = wrk(base + "/", args.duration, args.connections,
                                        args.workers, distinct)
        results["different URLs"]["first"] = float("nan")
        single = {
            "one at a time, different URLs": one_at_a_time(
                base, questions.distinct_urls(30 if args.smoke else 300, seed=3)),
            "one at a time, broadest (3 letters, all facets)": one_at_a_time(
                base, questions.broadest(10 if args.smoke else 60, seed=4)),
        }
        # Repeated URLs again while an editor changes one entry a second.
        repeated = [("list, first page", "/api/v1/opportunities", None),
                    ("search, two words", "/api/v1/opportunities?q=ceramics%20residency", None),
                    ("list, six facets", "/api/v1/opportunities?facets=type,discipline,"
                     "destination_country,covers,career_stage,status", None),
                    ("detail", "/", detail)]
        writer = Writer(base, editor, slugs)
        writer.start()
        try:
            for name, path, script in repeated:
                results[f"{name}, 1 write/s"] = wrk(base + path, args.duration, args.connections,
                                                    args.workers, script)
                results[f"{name}, 1 write/s"]["first"] = float("nan")
        finally:
            writer.stop()
        peak = peak_rss_mb(server.proc.pid)
        pgbench = (None, 0)
        if args.backend == "postgres":
            pgbench = pgbench_list(args.binary, env, args.duration, args.connections,
                                   args.workers, work)
    finally:
        server.stop()
        log.close()
        if db_name and not args.keep:
            subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)"])
        if args.import_only and not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    health = results["healthz"]["rps"]
    print(f"\n{args.backend}, {args.entries} entries, {args.connections} connections, "
          f"{args.workers} workers, {args.duration} s per measure, response cache "
          f"{env.get('MOBILITY_RESPONSE_CACHE_MB', 'default')} MB")
    print(f"{'measure':40} {'req/s':>10} {'x healthz':>10} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}"
          f" {'first ms':>9}")
    for name, r in results.items():
        print(f"{name:40} {r['rps']:10.0f} {r['rps'] / health:10.3f} {r['p50']:8.2f} {r['p99']:8.2f} {r['non2xx']:8d}"
              f" {r['first']:9.1f}")
    for name, r in single.items():
        print(f"{name:48} median {r['p50']:7.1f} ms  p95 {r['p95']:7.1f} ms  slowest {r['max']:7.1f} ms"
              f"  ({r['n']} requests, {r['non200']} not 200)")
    for name, _, _ in repeated:
        print(f"{name}: with 1 write/s / without = "
              f"{results[name + ', 1 write/s']['rps'] / results[name]['rps']:.2f}")
    print(f"writes during the measures: {writer.writes} ({writer.failures} failed)")
    print(f"deep page / first page: {results['list, 200 pages deep']['rps'] / results['list, first page']['rps']:.2f}")
    print(f"server RSS: {rss_start:.0f} MB before the load, peak {peak:.0f} MB")
    print(f"import: {import_seconds:.1f} s, peak RSS {import_rss:.0f} MB")
    if args.backend == "postgres":
        tps, n = pgbench
        print(f"pgbench, the {n} statements of one default-list request: "
              f"{tps if tps is not None else float('nan'):.0f} transactions/s "
              f"(list / pgbench = {results['list, first page']['rps'] / tps if tps else float('nan'):.2f})")
    bad = sum(r["non2xx"] for r in results.values()) + sum(r["non200"] for r in single.values())
    bad += writer.failures
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if bad:
        sys.exit(f"{bad} responses were not 2xx")


if __name__ == "__main__":
    main()
