"""The Lead CRM domain: documents, enums, field validation and errors. No Django, no pymongo."""
