"""The yardstick of bench_pages.py: a bare Flask hello-world, served like Parcours.

gunicorn --workers 2 --worker-class sync 'tests.benchmarks.hello:app'
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    """Say hello, and nothing else."""
    return "Hello, World!"
