"""The WSGI entry point for gunicorn: `gunicorn lupustrial.edc.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lupustrial.edc.settings")
application = get_wsgi_application()
