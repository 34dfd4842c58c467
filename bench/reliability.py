#!/usr/bin/env python3
"""Fault drills for RELIABILITY.md: each starts the real binary, causes a fault for real,
and prints what clients saw and how long recovery took.

    python3 bench/reliability.py DRILL [--binary PATH] [--backend sqlite|postgres]

Drills:
  sqlite-readonly       the SQLite file is made immutable (chattr +i) before the start and
                        while serving (/readyz must say degraded); then writable again
  sqlite-full           the SQLite file lives on an 8 MB tmpfs that is filled up (/readyz must
                        say degraded), then freed
  sqlite-wal-removed    the SQLite -wal and -shm files are removed while 4 clients create
                        entries, then kill -9: every acknowledged entry must be there after a
                        restart
  postgres-outage       a PostgreSQL cluster of its own (port 5433) is stopped, then started
  postgres-frozen       that cluster's processes are stopped with SIGSTOP, then resumed
  start-before-database the service starts while its PostgreSQL is down
  kill-during-writes    kill -9 while 8 clients create entries; every acknowledged entry must
                        be there after a restart (--backend sqlite or postgres)
  kill-during-import    kill -9 1 s into a 20,000-entry import; nothing or everything of it
                        may be there (--backend sqlite or postgres)
  soak                  --minutes M (default 10) of mixed reads (98 %) and creates (2 %) at 32 connections:
                        responses >= 500, RSS at start and end, p99 per minute
  all                   every drill but soak

Needs root (chattr, mount, pg_createcluster) and wrk. The drills never touch the shared
PostgreSQL on 5432 except to create and drop databases of their own.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from run import PG_ADMIN, ROOT, Server, free_port, http, rss_mb, wrk  # noqa: E402

CLUSTER, CLUSTER_PORT = "mdfault", 5433
PASSWORD = "drill-editor-password-0123"


def log(msg):
    print(msg, flush=True)


def get(base, path, timeout=30):
    """(status, detail or body, seconds) of a GET."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as r:
            body = r.read()
            return r.status, body[:200].decode(errors="replace"), time.monotonic() - started
    except urllib.error.HTTPError as e:
        body = e.read().decode(errors="replace")
        try:
            body = json.loads(body).get("detail", body)
        except ValueError:
            pass
        return e.code, body, time.monotonic() - started
    except Exception as e:  # a refused or reset connection
        return 0, str(e), time.monotonic() - started


def readiness(base):
    """(status code, body as a dict) of /readyz."""
    try:
        with urllib.request.urlopen(base + "/readyz", timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def wait_for(base, path, status, limit=60):
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if get(base, path, timeout=5)[0] == status:
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"{path} did not answer {status} within {limit} s")


SERVICES = []


class Service:
    """The binary on a database, with an editor account. Every one is stopped when its
    drill ends, however it ends."""

    def __init__(self, binary, database_url, work, editor=True):
        SERVICES.append(self)
        self.binary, self.work = binary, work
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = dict(os.environ, DATABASE_URL=database_url, MOBILITY_BIND=f"127.0.0.1:{self.port}",
                        MOBILITY_WORKERS="2", RUST_LOG="warn",
                        # The drills load one server from one address on purpose.
                        MOBILITY_RATE_LIMIT_ANONYMOUS="0",
                        MOBILITY_JWT_SECRET="drill-secret-0123456789abcdef-0123456789")
        self.log = open(os.path.join(work, f"server-{self.port}.log"), "a")
        if editor:
            self.cli("user", "add", "--email", "drill@example.org", "--role", "editor", stdin=PASSWORD + "\n")
        self.server = None

    def cli(self, *args, stdin=None, check=True):
        return subprocess.run([self.binary, *args], input=stdin, text=True, env=self.env,
                              cwd=self.work, capture_output=True, check=check)

    def start(self, ready=True):
        self.server = Server(self.binary, self.env, self.log)
        if ready:
            self.server.wait_ready(self.base)
        return self

    def kill9(self):
        self.server.proc.send_signal(signal.SIGKILL)
        self.server.proc.wait()

    def stop(self):
        if self.server and self.server.proc.poll() is None:
            self.server.proc.kill()
            self.server.proc.wait()

    def token(self):
        status, body = http("POST", self.base + "/api/v1/auth/token",
                            {"email": "drill@example.org", "password": PASSWORD})
        assert status == 200, body
        return body["access_token"]

    def organization(self, token):
        status, body = http("POST", self.base + "/api/v1/organizations",
                            {"slug": "drill-org", "name": "Drill Organization", "kind": "foundation",
                             "country": "SI"}, token)
        assert status in (201, 409), body

    def create(self, token, n):
        return http("POST", self.base + "/api/v1/opportunities", {
            "type": "residency", "organization": "drill-org", "title": {"en": f"Drill call {n}"},
            "rolling": True, "source_url": f"https://drill.example.org/{n}"}, token)


def sqlite_url(work, name="drill.sqlite3"):
    return f"sqlite://{work}/{name}"


def drill_sqlite_readonly(binary, work):
    db = os.path.join(work, "drill.sqlite3")
    svc = Service(binary, sqlite_url(work), work)
    svc.cli("migrate")
    subprocess.run(["chattr", "+i", db], check=True)
    try:
        svc.start(ready=False)
        wait_for(svc.base, "/healthz", 200)
        status, detail, _ = get(svc.base, "/readyz")
        log(f"  started on an immutable file: /readyz {status} ({detail})")
        assert status == 503 and "read-only" in detail, detail
        subprocess.run(["chattr", "-i", db], check=True)
        seconds = wait_for(svc.base, "/readyz", 200)
        token = svc.token()
        svc.organization(token)
        status, _ = svc.create(token, 1)
        log(f"  writable again: /readyz 200 after {seconds:.1f} s, a create answers {status}")
        assert status == 201
        # While serving, writes go to the write-ahead log: that file made immutable too.
        subprocess.run(["chattr", "+i", db, db + "-wal"], check=True)
        status, detail = svc.create(token, 2)
        detail = detail.get("detail") if isinstance(detail, dict) else detail
        log(f"  made immutable while serving: a create answers {status} ({detail})")
        assert status == 503, detail
        code, ready = readiness(svc.base)
        read = get(svc.base, "/api/v1/opportunities")[0]
        log(f"  /readyz {code} {ready['status']} ({ready.get('detail')}); a list answers {read}")
        assert code == 200 and ready["status"] == "degraded" and not ready["writable"] and read == 200
        subprocess.run(["chattr", "-i", db, db + "-wal"], check=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (status := svc.create(token, 3)[0]) != 201:
            time.sleep(0.5)
        log(f"  writable again: a create answers {status}; /readyz {readiness(svc.base)[1]['status']}")
        assert status == 201 and readiness(svc.base)[1]["status"] == "ok"
    finally:
        subprocess.run(["chattr", "-i", db, db + "-wal"], capture_output=True)
        svc.stop()


def drill_sqlite_full(binary, work):
    mount = os.path.join(work, "small")
    os.makedirs(mount)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount], check=True)
    try:
        svc = Service(binary, sqlite_url(mount), work)
        svc.cli("migrate")
        svc.start()
        token = svc.token()
        svc.organization(token)
        filler = os.path.join(mount, "filler")
        subprocess.run(["dd", "if=/dev/zero", f"of={filler}", "bs=64k"], capture_output=True)
        statuses, detail = [], ""
        for n in range(20):
            status, body = svc.create(token, n)
            statuses.append(status)
            if status != 201:
                detail = body.get("detail") if isinstance(body, dict) else body
        full = [s for s in statuses if s != 201]
        log(f"  disk full: {len(full)} of 20 creates refused with {sorted(set(full))} ({detail})")
        assert full and set(full) == {503} and "full" in detail, (statuses, detail)
        code, ready = readiness(svc.base)
        read = get(svc.base, "/api/v1/opportunities")[0]
        log(f"  /readyz {code} {ready['status']} ({ready.get('detail')}); a list answers {read}")
        assert code == 200 and ready["status"] == "degraded" and "full" in ready["detail"] and read == 200
        os.remove(filler)
        status, _ = svc.create(token, 100)
        code, ready = readiness(svc.base)
        log(f"  space freed: a create answers {status}; /readyz {code} {ready['status']}")
        assert status == 201 and ready["status"] == "ok"
        svc.stop()
    finally:
        subprocess.run(["umount", mount])


def cluster(action):
    if action == "create":
        subprocess.run(["pg_dropcluster", "--stop", "15", CLUSTER], capture_output=True)
        subprocess.run(["pg_createcluster", "15", CLUSTER, "--port", str(CLUSTER_PORT), "--start",
                        "--", "--auth-local=trust", "--auth-host=trust"], check=True, capture_output=True)
    elif action == "drop":
        subprocess.run(["pg_dropcluster", "--stop", "15", CLUSTER], capture_output=True)
    else:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "15", CLUSTER, action]
                       + (["-m", "fast"] if action == "stop" else []), check=True, capture_output=True)


def cluster_pids():
    with open(f"/var/lib/postgresql/15/{CLUSTER}/postmaster.pid") as f:
        main = int(f.readline())
    children = subprocess.run(["pgrep", "-P", str(main)], capture_output=True, text=True).stdout.split()
    return [main] + [int(c) for c in children]


def cluster_url():
    return f"postgres://postgres@127.0.0.1:{CLUSTER_PORT}/postgres"


def drill_postgres_outage(binary, work):
    cluster("create")
    try:
        svc = Service(binary, cluster_url(), work).start()
        token = svc.token()
        svc.organization(token)
        assert get(svc.base, "/api/v1/opportunities")[0] == 200
        cluster("stop")
        status, detail, seconds = get(svc.base, "/api/v1/opportunities")
        ready = get(svc.base, "/readyz")[0]
        log(f"  PostgreSQL stopped: the list answers {status} in {seconds:.2f} s ({detail}); /readyz {ready}")
        assert status == 503 and ready == 503
        write, _ = svc.create(token, 1)
        log(f"  a create while it is stopped answers {write}")
        assert write == 503
        cluster("start")
        seconds = wait_for(svc.base, "/api/v1/opportunities", 200)
        log(f"  PostgreSQL started: the list answers 200 again after {seconds:.1f} s")
        svc.stop()
    finally:
        cluster("drop")


def drill_postgres_frozen(binary, work):
    cluster("create")
    try:
        svc = Service(binary, cluster_url(), work).start()
        assert get(svc.base, "/api/v1/opportunities")[0] == 200
        pids = cluster_pids()
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            results = []
            threads = [threading.Thread(target=lambda: results.append(get(svc.base, "/api/v1/opportunities?limit=2", 60)))
                       for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            worst = max(r[2] for r in results)
            log(f"  PostgreSQL frozen: 6 lists answered {sorted({r[0] for r in results})}, the slowest in {worst:.1f} s")
            assert {r[0] for r in results} == {503} and worst < 15
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
        seconds = wait_for(svc.base, "/api/v1/opportunities", 200)
        log(f"  PostgreSQL resumed: the list answers 200 again after {seconds:.1f} s")
        svc.stop()
    finally:
        cluster("drop")


def drill_start_before_database(binary, work):
    cluster("create")
    try:
        svc = Service(binary, cluster_url(), work)
        cluster("stop")
        svc.start(ready=False)
        wait_for(svc.base, "/healthz", 200)
        alive = svc.server.proc.poll() is None
        status, detail, _ = get(svc.base, "/readyz")
        log(f"  started with PostgreSQL down: running={alive}, /readyz {status} ({detail})")
        assert alive and status == 503
        cluster("start")
        seconds = wait_for(svc.base, "/readyz", 200)
        log(f"  PostgreSQL up: /readyz 200 after {seconds:.1f} s")
        svc.stop()
    finally:
        cluster("drop")


def fresh_database(backend, work):
    if backend == "sqlite":
        return sqlite_url(work), None
    name = f"md_drill_{os.getpid()}_{int(time.time())}"
    subprocess.run(["psql", PG_ADMIN, "-qc", f"CREATE DATABASE {name}"], check=True)
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, name


def drop_database(name):
    if name:
        subprocess.run(["psql", PG_ADMIN, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


def drill_kill_during_writes(binary, work, backend):
    url, name = fresh_database(backend, work)
    try:
        svc = Service(binary, url, work).start()
        token = svc.token()
        svc.organization(token)
        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def writer(k):
            n = 0
            while not stop.is_set():
                n += 1
                try:
                    status, body = svc.create(token, f"{k}-{n}")
                except Exception:
                    return
                if status == 201:
                    with lock:
                        acknowledged.append(body["entry"]["slug"] if "entry" in body else body["slug"])
        threads = [threading.Thread(target=writer, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        time.sleep(3)
        svc.kill9()
        stop.set()
        for t in threads:
            t.join()
        svc.start()
        lost = [s for s in acknowledged
                if get_as(svc.base, f"/api/v1/staff/opportunities/{s}", svc.token())[0] != 200]
        log(f"  {backend}: {len(acknowledged)} creates acknowledged before kill -9, {len(lost)} lost")
        assert not lost, lost[:5]
        svc.stop()
    finally:
        drop_database(name)


def drill_sqlite_wal_removed(binary, work):
    db = os.path.join(work, "drill.sqlite3")
    svc = Service(binary, sqlite_url(work), work).start()
    token = svc.token()
    svc.organization(token)
    acknowledged, refused, lock, stop = [], [], threading.Lock(), threading.Event()

    def writer(k):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                status, body = svc.create(token, f"{k}-{n}")
            except Exception:
                return
            with lock:
                if status == 201:
                    acknowledged.append(body["entry"]["slug"])
                else:
                    refused.append((status, body.get("detail") if isinstance(body, dict) else body))
    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    time.sleep(2)
    before = len(acknowledged)
    os.remove(db + "-wal")
    os.remove(db + "-shm")
    code, ready = readiness(svc.base)
    log(f"  {before} creates acknowledged, then -wal and -shm removed: /readyz {code} {ready['status']}")
    time.sleep(2)
    svc.kill9()
    stop.set()
    for t in threads:
        t.join()
    svc.start()
    token = svc.token()
    lost = [s for s in acknowledged if get_as(svc.base, f"/api/v1/staff/opportunities/{s}", token)[0] != 200]
    log(f"  {len(acknowledged)} acknowledged in all, {len(refused)} refused "
        f"({sorted({str(r[0]) for r in refused})}); after kill -9 and a restart, {len(lost)} lost")
    assert not lost, lost[:5]
    assert all(r[0] == 503 for r in refused), refused[:5]
    svc.stop()


def get_as(base, path, token):
    req = urllib.request.Request(base + path, headers={"authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def drill_kill_during_import(binary, work, backend):
    url, name = fresh_database(backend, work)
    try:
        data = os.path.join(work, "data")
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "generate.py"), "20000", data], check=True)
        svc = Service(binary, url, work).start()
        token = svc.token()
        with open(os.path.join(data, "organizations.json")) as f:
            for org in json.load(f):
                assert http("POST", svc.base + "/api/v1/organizations", org, token)[0] == 201
        svc.stop()
        importer = subprocess.Popen([binary, "import", os.path.join(data, "entries.json"), "--source", "drill",
                                     "--publish", "--accept-closed"], env=svc.env, cwd=work, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        # One second in, the import is writing (it writes every 500 rows) and far from
        # done: 20,000 entries take about 3 s on SQLite and 8 s on PostgreSQL (release).
        time.sleep(1)
        killed = importer.poll() is None
        importer.send_signal(signal.SIGKILL)
        importer.wait()
        svc.start()
        total = json.loads(urllib.request.urlopen(
            svc.base + "/api/v1/opportunities?status=open,closed,rolling,upcoming,closing_soon&limit=1").read())["total"]
        log(f"  {backend}: import killed mid-way={killed}; entries present afterwards: {total} (0 or 20000 allowed)")
        assert killed and total in (0, 20000)
        svc.stop()
    finally:
        drop_database(name)


def drill_soak(binary, work, backend, minutes):
    url, name = fresh_database(backend, work)
    try:
        svc = Service(binary, url, work)
        svc.cli("seed")
        svc.start()
        token = svc.token()
        svc.organization(token)
        script = os.path.join(work, "soak.lua")
        with open(script, "w") as f:
            f.write(SOAK_LUA.replace("TOKEN", token))
        rss_start = rss_mb(svc.server.proc.pid)
        slices = []
        for minute in range(minutes):
            r = wrk(svc.base + "/", 60, 32, 2, script)
            slices.append(r)
            log(f"  minute {minute + 1}: {r['rps']:.0f} req/s, p99 {r['p99']:.1f} ms, "
                f"non-2xx {r['non2xx']}, RSS {rss_mb(svc.server.proc.pid):.0f} MB")
        rss_end = rss_mb(svc.server.proc.pid)
        errors = subprocess.run(["grep", "-c", "status=5", svc.log.name], capture_output=True, text=True).stdout.strip()
        log(f"  {backend}: {minutes} min, RSS {rss_start:.0f} MB -> {rss_end:.0f} MB, "
            f"p99 {min(s['p99'] for s in slices):.1f}-{max(s['p99'] for s in slices):.1f} ms, "
            f"non-2xx {sum(s['non2xx'] for s in slices)}, logged 5xx {errors or 0}")
        svc.stop()
    finally:
        drop_database(name)


# 98 % reads of five kinds, 2 % creates with unique titles and source URLs (each wrk
# thread numbered, each request counted).
SOAK_LUA = r"""
local counter = 0
local thread_id = 0
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads .. "-" .. os.time())
end
init = function() thread_id = id end
local reads = {
  "/api/v1/opportunities", "/api/v1/opportunities?discipline=dance&eligible_country=SI",
  "/api/v1/opportunities?type=residency&covers=travel", "/api/v1/organizations",
  "/api/v1/opportunities?status=closed&sort=newest"
}
request = function()
  counter = counter + 1
  if counter % 50 == 0 then
    local n = thread_id .. "-" .. counter
    local body = '{"type":"residency","organization":"drill-org","title":{"en":"Soak call ' .. n ..
      '"},"rolling":true,"source_url":"https://soak.example.org/' .. n .. '"}'
    return wrk.format("POST", "/api/v1/opportunities",
      {["content-type"] = "application/json", ["authorization"] = "Bearer TOKEN"}, body)
  end
  return wrk.format("GET", reads[counter % #reads + 1])
end
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("drill")
    p.add_argument("--binary", default=os.path.join(ROOT, "target", "release", "mobility-directory"))
    p.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--minutes", type=int, default=10)
    args = p.parse_args()
    binary = os.path.abspath(args.binary)
    drills = {
        "sqlite-readonly": lambda w: drill_sqlite_readonly(binary, w),
        "sqlite-full": lambda w: drill_sqlite_full(binary, w),
        "sqlite-wal-removed": lambda w: drill_sqlite_wal_removed(binary, w),
        "postgres-outage": lambda w: drill_postgres_outage(binary, w),
        "postgres-frozen": lambda w: drill_postgres_frozen(binary, w),
        "start-before-database": lambda w: drill_start_before_database(binary, w),
        "kill-during-writes": lambda w: drill_kill_during_writes(binary, w, args.backend),
        "kill-during-import": lambda w: drill_kill_during_import(binary, w, args.backend),
        "soak": lambda w: drill_soak(binary, w, args.backend, args.minutes),
    }
    names = [d for d in drills if d != "soak"] if args.drill == "all" else [args.drill]
    for name in names:
        if name not in drills:
            sys.exit(__doc__)
        work = tempfile.mkdtemp(prefix=f"md-{name}-")
        log(f"{name}:")
        try:
            drills[name](work)
        finally:
            while SERVICES:
                SERVICES.pop().stop()
            shutil.rmtree(work, ignore_errors=True)
    log("all drills passed")


if __name__ == "__main__":
    main()
