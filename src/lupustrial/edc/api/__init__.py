"""The JSON API (django-ninja, OpenAPI at /api/docs): the pages' services, same permissions."""
