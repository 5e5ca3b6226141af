"""Server-rendered pages (Jinja2), progressive enhancement, no CDN."""
