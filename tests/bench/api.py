"""API throughput under gunicorn on this machine: GET polling and task creation.

    .venv/bin/python tests/bench/api.py [--seconds 10] [--connections 32] [--workers N]

Prepares a throw-away SQLite database in a temp dir (migrate, a customer with plenty of
credits, an API key, a few completed orders), starts gunicorn on 127.0.0.1, and loads it
with ``wrk`` (Debian package ``wrk``) or, without it, a bounded asyncio httpx client. No
worker runs: creations (preview=1) are queued, not processed, as the issue asks. The
per-key rate limit stays on but set very high, so its cost is measured.

Targets on 2 cores: polling >= 1,000 req/s, creation >= 200 req/s.
"""

import argparse
import asyncio
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
TASKS = "/api/tasks/visual/external/idphoto"

SETUP = textwrap.dedent(
    """
    import io, json
    from PIL import Image
    from photos.models import ApiKey, User
    from photos.params import parse_params
    from photos.services.credits import credits_topup
    from photos.services.orders import order_complete, order_create, source_image_create

    user = User.objects.create_user("bench", "bench@example.com", "bench-password-42")
    credits_topup(user=user, amount=10_000_000, reason="benchmark")
    _, key = ApiKey.generate(user=user, name="bench")
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (180, 150, 130)).save(buffer, "JPEG", quality=85)
    photo = buffer.getvalue()
    tasks = []
    for _ in range(5):
        source = source_image_create(owner=user, data=photo)
        order = order_create(owner=user, params=parse_params({}), source=source, enqueue=False)
        order_complete(order, photo_jpeg=photo)
        tasks.append(str(order.task_id))
    print("BENCH" + json.dumps({"key": key, "tasks": tasks, "image_id": str(source.image_id)}))
    """
)

WRK_POST = textwrap.dedent(
    """
    wrk.method = "POST"
    wrk.headers["X-API-KEY"] = os.getenv("BENCH_KEY")
    wrk.headers["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE")
    local f = io.open(os.getenv("BENCH_BODY"), "rb")
    wrk.body = f:read("*a")
    f:close()
    """
)


def server_cpu_seconds(master_pid: int) -> float:
    """user+system CPU of gunicorn's master and its workers (Linux /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == master_pid or ppid == master_pid:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = "benchboundary7d93"
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, (filename, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: image/jpeg\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def run_wrk(url, *, seconds, connections, headers=None, lua=None, env=None) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if lua:
        command += ["-s", lua]
    out = subprocess.run(
        command + [url],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out)
    return {
        "rate": rate,
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(0) if errors else "",
        "p99": p99.group(1) if p99 else "?",
    }


async def _httpx_load(url, *, seconds, connections, method, headers, body) -> dict:
    import httpx

    done = bad = dropped = 0
    end = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def one_worker():
            nonlocal done, bad, dropped
            while time.monotonic() < end:
                try:
                    response = await client.request(method, url, headers=headers, content=body)
                except httpx.TransportError:
                    # A kept-alive connection the server closed (gunicorn's keep-alive
                    # timeout) fails once; count it like wrk's socket errors and go on.
                    dropped += 1
                    continue
                done += 1
                bad += response.status_code >= 300

        started = time.monotonic()
        await asyncio.gather(*(one_worker() for _ in range(connections)))
        elapsed = time.monotonic() - started
    errors = f"Socket errors: {dropped} dropped connections" if dropped else ""
    return {"rate": done / elapsed, "non_2xx": bad, "socket_errors": errors, "p99": "?"}


def load(
    url, *, seconds, connections, method="GET", headers=None, body=None, tmp=None, server=None
) -> dict:
    """Run the load; with ``server`` (gunicorn's pid), add the server CPU per request."""
    before = server_cpu_seconds(server) if server else 0.0
    result = _load(
        url,
        seconds=seconds,
        connections=connections,
        method=method,
        headers=headers,
        body=body,
        tmp=tmp,
    )
    if server:
        requests = result["rate"] * seconds
        result["cpu_ms"] = (server_cpu_seconds(server) - before) / max(requests, 1) * 1000
    return result


def _load(url, *, seconds, connections, method="GET", headers=None, body=None, tmp=None) -> dict:
    headers = dict(headers or {})
    if shutil.which("wrk"):
        if method == "GET":
            return run_wrk(url, seconds=seconds, connections=connections, headers=headers)
        body_path, lua_path = tmp / "body.bin", tmp / "post.lua"
        body_path.write_bytes(body)
        lua_path.write_text(WRK_POST)
        return run_wrk(
            url,
            seconds=seconds,
            connections=connections,
            lua=str(lua_path),
            env={
                "BENCH_KEY": headers["X-API-KEY"],
                "BENCH_CONTENT_TYPE": headers["Content-Type"],
                "BENCH_BODY": str(body_path),
            },
        )
    return asyncio.run(
        _httpx_load(
            url, seconds=seconds, connections=connections, method=method, headers=headers, body=body
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--threads", type=int, default=4, help="> 1: gthread workers, which keep connections alive"
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=600,
        help="SQLITE_CONN_MAX_AGE for the server (0 = reconnect per request, the default setting)",
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="idphoto-bench-api-"))
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")},
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH",
        "IDPHOTO_VAR_DIR": str(tmp),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "API_QPS_LIMIT": "1000000",
        "SQLITE_CONN_MAX_AGE": str(args.conn_max_age),
        "LOG_LEVEL": "ERROR",
    }
    (tmp / "static").mkdir()
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SETUP],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out.split("BENCH", 1)[1])

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [
            GUNICORN,
            "idphoto_site.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                check = httpx.get(
                    f"{base}{TASKS}/{data['tasks'][0]}", headers={"X-API-KEY": data["key"]}
                )
                assert check.status_code == 200 and check.json()["data"]["state"] == 1, check.text
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        key = {"X-API-KEY": data["key"]}
        # Warm every worker up (imports, first connection) before measuring.
        load(f"{base}{TASKS}/{data['tasks'][0]}", seconds=2, connections=8, headers=key, tmp=tmp)

        from PIL import Image

        buffer = io.BytesIO()
        Image.new("RGB", (600, 800), (180, 150, 130)).save(buffer, "JPEG", quality=85)
        upload = buffer.getvalue()
        reuse_body, reuse_type = multipart({"preview": "1", "last_id": data["image_id"]}, {})
        file_body, file_type = multipart({"preview": "1"}, {"image_file": ("selfie.jpg", upload)})
        runs = {
            "poll (GET, completed task)": dict(
                url=f"{base}{TASKS}/{data['tasks'][1]}", headers=key
            ),
            "create (preview=1, last_id)": dict(
                url=f"{base}{TASKS}",
                method="POST",
                headers={**key, "Content-Type": reuse_type},
                body=reuse_body,
            ),
            f"create (preview=1, image_file {len(upload) // 1024} KB)": dict(
                url=f"{base}{TASKS}",
                method="POST",
                headers={**key, "Content-Type": file_type},
                body=file_body,
            ),
        }
        cpus = os.cpu_count() or 1
        print(
            f"idphoto API benchmark: {cpus} CPUs (load average {os.getloadavg()[0]:.1f} at start), "
            f"gunicorn {args.workers} {'gthread' if args.threads > 1 else 'sync'} workers x "
            f"{args.threads} threads, "
            f"SQLITE_CONN_MAX_AGE={args.conn_max_age}, {args.connections} connections, "
            f"{args.seconds} s per run, {'wrk' if shutil.which('wrk') else 'httpx'} on 127.0.0.1"
        )
        results = {}
        for name, run in runs.items():
            url = run.pop("url")
            result = load(
                url,
                seconds=args.seconds,
                connections=args.connections,
                tmp=tmp,
                server=server.pid,
                **run,
            )
            results[name] = result
            print(
                f"  {name:38s} {result['rate']:7.0f} req/s  p99 {result['p99']:>8s}  "
                f"server CPU {result['cpu_ms']:.2f} ms/req (= {cpus * 1000 / result['cpu_ms']:.0f} "
                f"req/s if the server had all {cpus} CPUs)  non-2xx {result['non_2xx']} "
                f"{result['socket_errors']}"
            )
        queued = (
            subprocess.run(
                [
                    PYTHON,
                    "manage.py",
                    "shell",
                    "-c",
                    "from photos.models import Order; from django_q.models import OrmQ; "
                    "print(Order.objects.filter(state=0).count(), OrmQ.objects.count())",
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
            .split()
        )
        print(
            f"  created and queued, not processed: {queued[0]} orders, {queued[1]} broker messages"
        )
        poll = results["poll (GET, completed task)"]["rate"]
        create = max(r["rate"] for n, r in results.items() if n.startswith("create"))
        print(
            f"  targets: poll >= 1000 req/s {'met' if poll >= 1000 else 'NOT met'} ({poll:.0f}); "
            f"create >= 200 req/s {'met' if create >= 200 else 'NOT met'} ({create:.0f}); "
            f"load average now {os.getloadavg()[0]:.1f}"
        )
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
