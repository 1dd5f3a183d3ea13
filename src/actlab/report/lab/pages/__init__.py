"""One module per page of the lab; each exposes ``render(site) -> {relative path: html}``."""
