"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""

from config import config_from_env
from portal import create_app

app = create_app(config_from_env())
