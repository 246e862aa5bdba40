"""Build the user manual (MkDocs) into one static site: zh-CN at the root, English in en/.

    python manual/build.py [--out DIR] [--if-stale]

The app serves the result at /docs/ (crm/core/manual.py). Used by `make run` / `make manual`,
by `manage.py build_manual` (deployments) and by the tests; it needs no Django settings.
Strict: a broken link, a missing image or a page left out of the navigation fails the build.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "var" / "manual"
# (config file, sub-directory of the output): zh-CN first, it cleans the output directory.
EDITIONS = (("mkdocs.yml", ""), ("mkdocs.en.yml", "en"))
#: Where the app serves the manual (crm/urls.py). Pages link relatively and work under
#: any prefix; only MkDocs' 404 page links from the site root (it answers for any
#: address), so it is rebased here.
SERVED_AT = "/docs/"
_ROOT_LINK = re.compile(r'((?:href|src)=")/(?!/)')


def sources() -> list[Path]:
    return [p for p in HERE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]


def is_stale(out: Path) -> bool:
    stamp = out / "index.html"
    if not stamp.exists() or not (out / "en" / "index.html").exists():
        return True
    built = stamp.stat().st_mtime
    return any(p.stat().st_mtime > built for p in sources())


def build(out: Path = DEFAULT_OUT, *, strict: bool = True, quiet: bool = True) -> Path:
    """Build both editions into ``out``; raises ``mkdocs.exceptions.Abort`` on a warning."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    out = Path(out).resolve()
    if quiet:
        logging.getLogger("mkdocs").setLevel(logging.WARNING)
    for config_file, sub in EDITIONS:
        config = load_config(
            config_file=str(HERE / config_file), site_dir=str(out / sub), strict=strict
        )
        mkdocs_build(config)  # cleans its site_dir first: zh-CN (the root) goes first
        rebase_not_found(out / sub, SERVED_AT + (f"{sub}/" if sub else ""))
    (out / "index.html").touch()  # the freshness stamp is the last file written
    return out


def rebase_not_found(site: Path, prefix: str) -> None:
    """Point the 404 page's root-relative links (stylesheets, scripts, navigation) at
    ``prefix``, where the edition is served: unstyled otherwise."""
    page = site / "404.html"
    if page.is_file():
        html = page.read_text(encoding="utf-8")
        page.write_text(_ROOT_LINK.sub(rf"\g<1>{prefix}", html), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--if-stale", action="store_true", help="skip when the build is fresh")
    args = parser.parse_args(argv)
    if args.if_stale and not is_stale(args.out):
        return 0
    build(args.out)
    print(f"manual built: {args.out.resolve()}/index.html (zh-CN), en/index.html (English)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
