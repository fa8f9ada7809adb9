"""A hello-world Flask app: the throughput baseline, served by the same gunicorn settings."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    """The cheapest page Flask can serve."""
    return "hello"
