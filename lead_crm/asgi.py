"""What `manage.py serve` runs: gunicorn with uvicorn workers (lead_crm.workers) serving this.

ASGI, so an open event stream (GET /api/events/) is a task in a worker's event loop rather than
a busy thread; every other view is sync and runs in a thread, as Django does under ASGI.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lead_crm.settings")

application = get_asgi_application()
