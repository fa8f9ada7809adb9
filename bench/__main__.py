"""`python -m bench [client] ...` times pages through the test client; `python -m bench http ...`
times them over HTTP under gunicorn. See bench/README.md."""

import sys

from bench import client, http_mode


def main(argv: list[str]) -> int:
    """Dispatch to a mode; without one, the test-client mode as before."""
    if argv and argv[0] == "http":
        return http_mode.main(argv[1:])
    client.main(argv[1:] if argv and argv[0] == "client" else argv)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
