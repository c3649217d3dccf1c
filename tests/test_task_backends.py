"""Background work runs on every configured backend: in-process (embedded) and RQ on Redis."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/14"


def _vanban(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    cmd = [str(Path(sys.executable).parent / "vanban"), *args]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_immediate_backend_runs_in_process(tmp_path):
    """The embedded default needs no worker: the ping is answered at once."""
    env = {**os.environ, "VANBAN_HOME": str(tmp_path), "VANBAN_TASKS": "immediate"}
    env.pop("DATABASE_URL", None)
    result = _vanban("worker_check", "--timeout", "5", env=env)
    assert result.returncode == 0, result.stderr
    assert "OK: worker" in result.stdout
    assert "ImmediateBackend" in result.stdout


def test_rq_worker_on_redis_runs_the_task(tmp_path):
    """Production mode: a task enqueued on Redis is executed by a separate RQ worker process."""
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    env = {**os.environ, "VANBAN_HOME": str(tmp_path), "VANBAN_TASKS": "rq",
           "REDIS_URL": REDIS_URL}
    env.pop("DATABASE_URL", None)
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "vanban"), "rqworker", "default",
         "--worker-class", "rq.worker.SimpleWorker", "--job-class", "django_tasks_rq.Job"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(0.5)
        result = _vanban("worker_check", "--timeout", "30", env=env)
        assert result.returncode == 0, result.stderr + result.stdout
        assert "RQBackend" in result.stdout
        assert f"pid {worker.pid} " in result.stdout  # run by the worker, not in-process
    finally:
        worker.terminate()
        worker.wait(timeout=10)


def test_cache_is_shared_between_processes_on_redis(tmp_path):
    """With VANBAN_CACHE_URL every process sees one cache, so the portal's limit on tracking
    tries (R12.1) and the badges count across web processes, not per process."""
    url = "redis://127.0.0.1:6379/13"
    try:
        redis.Redis.from_url(url).flushdb()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    env = {**os.environ, "VANBAN_HOME": str(tmp_path), "VANBAN_CACHE_URL": url}
    env.pop("DATABASE_URL", None)
    write = _vanban("shell", "-c", "from django.core.cache import cache, caches; "
                    "cache.set('vanban-test', 'một', 60); "
                    "print(type(caches['default']).__name__)", env=env)
    assert write.returncode == 0, write.stderr
    assert "RedisCache" in write.stdout
    read = _vanban("shell", "-c", "from django.core.cache import cache; "
                   "print(cache.get('vanban-test'))", env=env)
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().splitlines()[-1] == "một"
