"""WSGI entry point: ``gunicorn wsgi:app``. Configuration comes from the environment.

An invalid module library or configuration stops the server with the checker's messages,
not a traceback.
"""

import sys

from ehealth import ModulesInvalid, create_app
from ehealth.config import ConfigError

try:
    app = create_app()
except ModulesInvalid as error:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    print(error.summary, file=sys.stderr)
    raise SystemExit(1) from None
except ConfigError as error:
    print(f"Configuration error: {error}", file=sys.stderr)
    raise SystemExit(1) from None
