"""The canonical form of a URL: what makes two links the same page, for ids and for scoring."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|ref|ref_src|cmpid|ocid)$", re.I
)


def canonical_url(url: str) -> str:
    """Normalise a URL so the same page gets the same id: scheme, host case, tracking, slash."""
    url = url.strip()
    if url[:4].lower() == "www.":
        url = "https://" + url  # "www.site/x" without a scheme is the same page as https://…
    parts = urlsplit(url)
    scheme = (parts.scheme or "http").lower()
    if scheme == "http":
        scheme = "https"
    host = parts.netloc.lower()
    host = host.removeprefix("www.")
    if host.endswith((":443", ":80")):
        host = host.rsplit(":", 1)[0]
    # Blank values are kept: "view?1001" and "view?1002" are different pages, not one.
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = urlencode(sorted((k, v) for k, v in pairs if not _TRACKING_PARAMS.match(k)))
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit((scheme, host, path, query, ""))
