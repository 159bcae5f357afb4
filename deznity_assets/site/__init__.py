"""The client website: brand system, rendering, templates and UI strings."""
