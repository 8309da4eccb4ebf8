"""Benchmark submission ingest: the real app under waitress against a bare Flask + waitress JSON echo, in one run.

    .venv/bin/python bench/ingest.py [--seconds 10] [--warmup 2] [--clients 8] [--client-procs 2] [--threads 4]
                                     [--skip-sqlite] [--skip-postgres] [--postgres-url URL] [--seed 1] [--batch N]

`--batch N` (N ≥ 1): every request carries N records to `POST /api/v1/submissions/batch` (the echo echoes the
same bodies), and the rates are records per second; a record counts as acknowledged when its own result is 2xx.

Each server runs in its own process (waitress on 127.0.0.1, a free port), and the load comes from other processes
(`--client-procs`, each with keep-alive connections in threads), so client and server never share a GIL. Targets,
in order: the bare echo (`request.get_json()` → `jsonify`), the app on a fresh SQLite file, the app on a throwaway
PostgreSQL database (`rasoat_bench_<random>`, dropped at the end; skipped with a notice when the server is not
reachable). Every client connection is one enumerator's phone: its own village, user and bearer token, posting
fabricated 8-member household records (bench/records.py, about 3.4 KB of JSON) with a fresh `id` to
`POST /api/v1/submissions` for a fixed time after a warm-up. Printed per target: requests, submissions per second,
p50/p99 latency, errors, the ratio to the echo of the same run (measured first, between the apps and last; ratio to its best run), and
the CPU the server process used; then PASS/MISS against the goals. After each app run the server process is killed (SIGTERM, no clean shutdown) and the database is opened directly to check
that every record acknowledged with a 2xx is stored.

Internal: `bench/ingest.py serve echo|app [--db URL] [--threads N] [--instance DIR]` is the server process.
"""
from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PATH = "/api/v1/submissions"
BATCH_PATH = "/api/v1/submissions/batch"
GOALS = {"sqlite": 0.25, "postgresql": 0.2}
DEFAULT_PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TABLE = "submission_versions"  # one row per posted version; primary key `id` = the record's id
MEMBERS = 8
TEMPLATES = 64  # distinct household bodies per connection, cycled; each request gets a fresh id
PASSWORD = "bench-enumerator-password"


# ---------------------------------------------------------------------------------------------------- servers


def echo_app():
    """The baseline: a bare Flask app that parses the JSON body and echoes it."""
    from flask import Flask, jsonify, request

    app = Flask("bench_echo")

    @app.post(PATH)
    def echo():
        return jsonify(request.get_json())

    @app.post(BATCH_PATH)
    def echo_batch():
        return jsonify(request.get_json())

    return app


def serve(argv) -> None:
    """Server process: waitress on 127.0.0.1, a free port printed as `port N` on stdout, until killed."""
    parser = argparse.ArgumentParser(prog="ingest.py serve")
    parser.add_argument("kind", choices=["echo", "app"])
    parser.add_argument("--db")
    parser.add_argument("--instance")
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    # waitress warns on every queued request under load; the log lines would cost more than the requests.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    if args.kind == "echo":
        app = echo_app()
    else:
        from server import create_app

        app = create_app({"DATABASE_URL": args.db, "INSTANCE_PATH": args.instance, "SECRET_KEY": "bench-secret"})
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=args.threads)
    print(f"port {server.effective_port}", flush=True)
    server.run()


class ServerProcess:
    """A `serve` child process; its stderr goes to a log file."""

    def __init__(self, kind: str, threads: int, log: Path, db: str | None = None, instance: str | None = None):
        cmd = [sys.executable, str(Path(__file__).resolve()), "serve", kind, "--threads", str(threads)]
        if db:
            cmd += ["--db", db, "--instance", instance]
        self.log = log
        self._err = open(log, "wb")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._err, cwd=ROOT)
        line = self.proc.stdout.readline().decode()
        if not line.startswith("port "):
            self.kill()
            raise RuntimeError(f"the {kind} server did not start; see {log}:\n{log.read_text()[-2000:]}")
        self.port = int(line.split()[1])

    def kill(self) -> None:
        """Terminate the process (SIGTERM: Python installs no handler, so it dies at once) and wait for it."""
        if self.proc.poll() is None:
            self.proc.terminate()
        self.proc.wait(timeout=30)
        self._err.close()

    def cpu_seconds(self) -> float | None:
        """CPU time the server process has used so far (user + system, all threads), where /proc tells it."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, n: int = 30) -> str:
        """The last lines the server wrote to stderr."""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])


# ---------------------------------------------------------------------------------------------------- database


@dataclass
class Phone:
    """One client connection: an enumerator, their village and bearer token."""

    token: str
    user_id: int
    commune_code: str
    village_code: str


def prepare_database(url: str, instance: Path, phones: int) -> list[Phone]:
    """Migrate a fresh database (as tests/conftest.py does), load Lạng Sơn, add one village and one enumerator with a token per phone."""
    from records import communes

    from server import create_app
    from server.accounts.operations import create_user, issue_token
    from server.cli import alembic_config
    from server.extensions import db
    from server.core.db import make_engine
    from server.places.operations import import_villages, load_province
    from alembic import command

    engine = make_engine(url)
    with engine.begin() as conn:  # a connection of our own: Alembic then leaves logging alone
        cfg = alembic_config(url)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    engine.dispose()
    codes = communes()
    chosen = [codes[(i * 7) % len(codes)] for i in range(phones)]  # spread over the province
    rows = [f"{c},BENCH-{c}-{i:02d},Thôn Đo Tải {i:02d},120,480,1" for i, c in enumerate(chosen)]
    csv = "commune_code,village_code,name,households_2025,persons_2025,in_dtts_mn_area\n" + "\n".join(rows) + "\n"
    app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(instance), "SECRET_KEY": "bench-secret"})
    out = []
    with app.app_context():
        load_province("20")
        import_villages(csv, source="bench")
        for i, commune in enumerate(chosen):
            village = f"BENCH-{commune}-{i:02d}"
            user = create_user(None, username=f"bench.rsv{i:02d}", full_name=f"Điều Tra Viên {i:02d}",
                               role="enumerator", unit_code=village, password=PASSWORD)
            token, _row = issue_token(user, label="bench")
            out.append(Phone(token, user.id, commune, village))
        db.session.commit()
        db.session.remove()
        app.extensions["rasoat_engine"].dispose()
    return out


def new_postgres(admin_url: str):
    """Create a throwaway database; return its URL and a function that drops it, or (None, reason)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        admin.dispose()
        return None, f"{make_url(admin_url).render_as_string()} is not reachable ({exc.__class__.__name__})"
    name = f"rasoat_bench_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), drop


def stored_ids(url: str, ids) -> set[str]:
    """Which of `ids` the database holds in the submissions table, read with a fresh connection."""
    from sqlalchemy import bindparam, create_engine, text

    engine = create_engine(url)
    found: set[str] = set()
    ids = list(ids)
    stmt = text(f"SELECT id FROM {TABLE} WHERE id IN :ids").bindparams(bindparam("ids", expanding=True))
    try:
        with engine.connect() as conn:
            for i in range(0, len(ids), 500):
                found.update(str(uuid.UUID(str(r[0]))) for r in conn.execute(stmt, {"ids": ids[i:i + 500]}))
    finally:
        engine.dispose()
    return found


# ---------------------------------------------------------------------------------------------------- load


def bodies_for(phone: Phone, templates: list[dict]) -> list[bytes]:
    """The phone's household records as JSON without their leading `{` (id and household code go in front)."""
    out = []
    for record in templates:
        record = dict(record, commune_code=phone.commune_code, village_code=phone.village_code,
                      interview=dict(record["interview"], enumerator=phone.user_id))
        del record["id"], record["household_code"]
        out.append(json.dumps(record, ensure_ascii=False).encode()[1:])
    return out


class Connection:
    """A minimal HTTP/1.1 keep-alive client over one socket (cheaper than http.client, so the client is not the
    bottleneck): sends a prepared request, reads status and body by Content-Length or chunks."""

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.buf = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buf = None, b""

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def request(self, data: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port))
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(data)
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            self._more()
        head, self.buf = self.buf[:end], self.buf[end + 4:]
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close, chunked = None, False, False
        for line in lines[1:]:
            key, _, value = line.partition(b":")
            key = key.strip().lower()
            if key == b"content-length":
                length = int(value)
            elif key == b"connection":
                close = value.strip().lower() == b"close"
            elif key == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
        if chunked:
            body = b""
            while True:
                while (eol := self.buf.find(b"\r\n")) < 0:
                    self._more()
                size = int(self.buf[:eol].split(b";")[0], 16)
                while len(self.buf) < eol + 2 + size + 2:
                    self._more()
                body += self.buf[eol + 2:eol + 2 + size]
                self.buf = self.buf[eol + 2 + size + 2:]
                if size == 0:
                    break
        elif length is None:
            try:
                while True:
                    self._more()
            except ConnectionError:
                pass
            body, close = self.buf, True
        else:
            while len(self.buf) < length:
                self._more()
            body, self.buf = self.buf[:length], self.buf[length:]
        if close:
            self.close()
        return status, body


def client_worker(port, slots, ready_q, go_q, result_q, batch=0) -> None:
    """Client process: one thread per slot (a phone with its bodies); posts until the end time, then reports.

    A request counts for throughput and latency when it starts after the warm-up; every 2xx, warm-up included,
    is an acknowledged record whose id must be stored."""
    ready_q.put(os.getpid())
    measure_from, until = go_q.get()
    results = []

    def run(index, token, bodies):
        conn = Connection(port)
        head = (f"POST {BATCH_PATH if batch else PATH} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n").encode()
        latencies, acked, statuses, sample, n, records_ok = [], [], {}, None, 0, 0
        while True:
            start = time.monotonic()
            if start >= until:
                break
            rids, parts = [], []
            for _ in range(batch or 1):
                rid = str(uuid.uuid4())
                rids.append(rid)
                parts.append(b'{"id": "%s", "household_code": "HB%02d%07d", %s' % (
                    rid.encode(), index, n, bodies[n % len(bodies)]))
                n += 1
            body = b'{"records": [%s]}' % b", ".join(parts) if batch else parts[0]
            try:
                status, reply = conn.request(head + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            except OSError as exc:
                conn.close()
                status, reply = 0, repr(exc).encode()
            took = time.monotonic() - start
            ok_ids = rids if 200 <= status < 300 else []
            if batch and ok_ids:
                answer = json.loads(reply)
                if "results" in answer:  # the app: each record's own status (the echo echoes the records)
                    ok_ids = [r["id"] for r in answer["results"] if 200 <= r["status"] < 300]
                    bad = [r for r in answer["results"] if not 200 <= r["status"] < 300]
                    if bad and sample is None:
                        sample = f"record {bad[0]['status']}: {json.dumps(bad[0]['body'])[:300]}"
            acked += ok_ids
            if not 200 <= status < 300 and sample is None:
                sample = f"{status}: {reply[:300].decode(errors='replace').strip()}"
            if start >= measure_from:
                latencies.append(took)
                statuses[status] = statuses.get(status, 0) + 1
                records_ok += len(ok_ids)
        conn.close()
        results.append((latencies, acked, statuses, sample, records_ok))

    threads = [threading.Thread(target=run, args=slot) for slot in slots]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    result_q.put(results)


@dataclass
class Result:
    """What one target's run measured."""

    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)
    acked: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)
    server_cpu: float | None = None
    records_ok: int = 0  # records acknowledged in the measured window (one per 2xx without --batch)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def ok(self) -> int:
        return sum(n for s, n in self.statuses.items() if 200 <= s < 300)

    @property
    def errors(self) -> int:
        return self.requests - self.ok

    @property
    def rate(self) -> float:
        """Records acknowledged per second (requests, without --batch)."""
        return self.records_ok / self.seconds

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000


def run_load(name: str, server: ServerProcess, phones: list[Phone], templates: list[dict], args) -> Result:
    """Post from `args.clients` connections spread over `args.client_procs` processes; gather what they saw and
    the server's CPU time over the measured window."""
    port = server.port
    ctx = mp.get_context("spawn")
    ready_q, go_q, result_q = ctx.Queue(), ctx.Queue(), ctx.Queue()
    slots = [(i, phone.token, bodies_for(phone, templates)) for i, phone in enumerate(phones)]
    nprocs = max(1, min(args.client_procs, len(slots)))
    procs = [ctx.Process(target=client_worker, args=(port, slots[k::nprocs], ready_q, go_q, result_q, args.batch),
                         daemon=True) for k in range(nprocs)]
    for p in procs:
        p.start()
    for _ in procs:
        ready_q.get(timeout=60)
    start = time.monotonic() + 0.05
    for _ in procs:
        go_q.put((start + args.warmup, start + args.warmup + args.seconds))
    result = Result(name, args.seconds)
    time.sleep(max(0.0, start + args.warmup - time.monotonic()))
    cpu0 = server.cpu_seconds()
    time.sleep(max(0.0, start + args.warmup + args.seconds - time.monotonic()))
    cpu1 = server.cpu_seconds()
    if cpu0 is not None and cpu1 is not None:
        result.server_cpu = cpu1 - cpu0
    for _ in procs:
        for latencies, acked, statuses, sample, records_ok in result_q.get(timeout=args.warmup + args.seconds + 120):
            result.records_ok += records_ok
            result.latencies += latencies
            result.acked += acked
            for s, n in statuses.items():
                result.statuses[s] = result.statuses.get(s, 0) + n
            if sample:
                result.samples.append(sample)
    for p in procs:
        p.join(timeout=30)
    return result


# ---------------------------------------------------------------------------------------------------- main


def echo_target(name: str, tmp: Path, templates, args) -> Result:
    """Serve the bare echo and load it the same way as the app."""
    server = ServerProcess("echo", args.threads, tmp / "echo.log")
    try:
        return run_load(name, server, [Phone("x" * 43, 1, "", "")] * args.clients, templates, args)
    finally:
        server.kill()


def app_target(backend: str, url: str, tmp: Path, templates, args) -> tuple[Result, tuple[int, int]]:
    """Prepare the database, serve the app, load it, kill it, check durability."""
    instance = tmp / f"instance-{backend}"
    instance.mkdir()
    t0 = time.perf_counter()
    phones = prepare_database(url, instance, args.clients)
    print(f"  {backend}: database ready in {time.perf_counter() - t0:.1f} s", flush=True)
    server = ServerProcess("app", args.threads, tmp / f"app-{backend}.log", db=url, instance=str(instance))
    try:
        result = run_load(f"app, {backend}", server, phones, templates, args)
    finally:
        server.kill()
    if result.errors:
        print(f"  {backend}: server log tail:\n{server.log_tail()}")
    found = stored_ids(url, set(result.acked))
    return result, (len(found), len(set(result.acked)))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10, help="measured time per target")
    parser.add_argument("--warmup", type=float, default=2, help="unmeasured time before it")
    parser.add_argument("--clients", type=int, default=8, help="concurrent connections (one enumerator each)")
    parser.add_argument("--client-procs", type=int, default=2, help="client processes the connections share")
    parser.add_argument("--threads", type=int, default=4, help="waitress threads (its default is 4)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--postgres-url", default=os.environ.get("RASOAT_BENCH_POSTGRES_URL", DEFAULT_PG_ADMIN),
                        help="an administrator URL of the PostgreSQL server (env RASOAT_BENCH_POSTGRES_URL)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=0,
                        help="records per request to POST /api/v1/submissions/batch (0: one record per POST)")
    args = parser.parse_args()

    from records import make_records

    templates = make_records(TEMPLATES, args.seed, size=MEMBERS)
    print(f"{args.clients} connections in {min(args.client_procs, args.clients)} client processes, waitress "
          f"threads={args.threads}, {args.warmup:g} s warm-up + {args.seconds:g} s per target, "
          f"{os.cpu_count()} CPUs" + (f", {args.batch} records per batch request" if args.batch else ""), flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="rasoat-bench-"))
    echoes, results, durable = [], [], {}
    try:
        echoes.append(echo_target("bare echo, first", tmp, templates, args))
        if not args.skip_sqlite:
            result, durable["sqlite"] = app_target("sqlite", f"sqlite:///{tmp / 'bench.sqlite3'}", tmp, templates,
                                                   args)
            results.append(result)
        echoes.append(echo_target("bare echo, middle", tmp, templates, args))
        if args.skip_postgres:
            print("  postgresql: skipped (--skip-postgres)")
        else:
            url, drop = new_postgres(args.postgres_url)
            if url is None:
                print(f"  postgresql: skipped: {drop}")
            else:
                try:
                    result, durable["postgresql"] = app_target("postgresql", url, tmp, templates, args)
                    results.append(result)
                finally:
                    drop()
        # The machine drifts, and on some machines the echo's threads thrash on the GIL in some runs and not in
        # others: the echo is measured first, between the apps and last, and the ratio taken to its best run.
        echoes.append(echo_target("bare echo, last", tmp, templates, args))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    base = max(r.rate for r in echoes)
    size = statistics.mean(len(json.dumps(t, ensure_ascii=False).encode()) for t in templates)
    print(f"\nrecord: {MEMBERS} members, {size:,.0f} bytes of JSON on average; ratios are to the best of the "
          f"{len(echoes)} echo runs ({base:,.0f}/s)\n")
    rate_label = "recs/s" if args.batch else "subm/s"
    print(f"{'target':<18}{'requests':>10}{rate_label:>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'ratio':>8}"
          f"{'server CPU':>12}{'CPU ms/req':>12}")
    for r in echoes + results:
        cpu = ("", "") if r.server_cpu is None else (f"{r.server_cpu / r.seconds:.0%}",
                                                     f"{1000 * r.server_cpu / max(r.requests, 1):.2f}")
        print(f"{r.name:<18}{r.requests:>10,}{r.rate:>10,.0f}{r.percentile(0.5):>9.1f}{r.percentile(0.99):>9.1f}"
              f"{r.errors:>8,}{r.rate / base:>8.2f}{cpu[0]:>12}{cpu[1]:>12}")
        for sample in sorted(set(r.samples))[:3]:
            print(f"    error {sample}")
        if r.errors:
            print(f"    statuses {dict(sorted(r.statuses.items()))}")
    print()
    for r in results:
        backend = r.name.split(", ")[1]
        ratio = r.rate / base
        print(f"{backend:<11} ratio {ratio:.2f} (goal ≥ {GOALS[backend]:.2f}): "
              f"{'PASS' if ratio >= GOALS[backend] else 'MISS'}")
    for backend, (found, acked) in durable.items():
        print(f"{backend:<11} durable: {found:,}/{acked:,} acknowledged records found"
              f"{'' if found == acked else '  ← LOST RECORDS'}")


if __name__ == "__main__":
    main()
