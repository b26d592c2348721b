"""Record a release of the templates in the bundles the package ships.

    python -m scaffold.history            # add scaffold.__version__ to every bundle

Each framework has a git bundle in `templates/_history/`: one commit per released
template version, tagged with the scaffold version that shipped it, each made with the
store's fixed author and date on top of the previous release. The store fetches these tags
(see `scaffold.store`), so every machine knows every released version under the same
name and commit. Run this once per release, after bumping `scaffold.__version__` and
saying what changed in `docs/changelog.md`, and commit the bundles with the release. The
changelog's `### Templates` notes for the version (else its whole section) become the body
of the release commit, which `scaffold update` shows. A released version is never
rewritten.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from scaffold import __version__, store
from scaffold.errors import ScaffoldError
from scaffold.frameworks import Framework
from scaffold.git import git

CHANGELOG = Path(__file__).resolve().parent.parent / "docs" / "changelog.md"


def changelog_notes(changelog: str, version: str) -> str | None:
    """The template notes of `version` in the changelog: its `### Templates` part, else all."""
    start = changelog.find(f"\n## {version}\n")
    if start < 0:
        return None
    section = changelog[start + len(f"\n## {version}\n") :].split("\n## ", 1)[0]
    for part in section.split("\n### ")[1:]:
        title, _, body = part.partition("\n")
        if title.strip() == "Templates":
            return body.strip()
    return section.strip()


def _unreleased(framework: Framework, version: str) -> list[str]:
    """The versions released so far, refusing if `version` is one of them."""
    previous = store.released_versions(store.history_bundle(framework))
    if version in previous:
        raise ScaffoldError(
            f"the {framework.label} template {version} is already released",
            hint="bump scaffold.__version__ before recording a new release",
        )
    return previous


def release(framework: Framework, version: str = __version__, notes: str = "") -> Path:
    """Add the shipped `framework` template to its bundle as `version`; return the bundle."""
    source = store.package_templates() / framework.value
    bundle = store.history_bundle(framework)
    previous = _unreleased(framework, version)
    with tempfile.TemporaryDirectory(prefix="scaffold-release-") as scratch:
        repo = Path(scratch)
        git("init", "--quiet", cwd=repo)
        if previous:
            git("fetch", "--quiet", str(bundle), "refs/tags/*:refs/tags/*", cwd=repo)
            newest = git("rev-parse", f"{previous[-1]}^{{commit}}", cwd=repo)
            git("update-ref", "HEAD", newest, cwd=repo)
        ignore = shutil.ignore_patterns(*store.IGNORED)
        shutil.copytree(source, repo, dirs_exist_ok=True, ignore=ignore)
        git("add", "--all", cwd=repo)
        message = f"{framework.label} template from scaffold {version}"
        message += f"\n\n{notes}" if notes else ""
        git("commit", "--quiet", "--allow-empty", "-m", message, cwd=repo, env=store.IDENTITY)
        git("tag", version, cwd=repo)
        bundle.parent.mkdir(parents=True, exist_ok=True)
        written = repo / "new.bundle"
        git("bundle", "create", "--quiet", str(written), "--tags", cwd=repo)
        shutil.move(written, bundle)
    return bundle


def record(version: str, changelog: Path = CHANGELOG) -> list[Path]:
    """Release every framework's template as `version`, with its notes from `changelog`."""
    notes = changelog_notes(changelog.read_text() if changelog.is_file() else "", version)
    if not notes:
        raise ScaffoldError(
            f"{changelog.name} says nothing of {version}",
            hint=f"add a '## {version}' section (with '### Templates' notes) first",
        )
    for framework in Framework:  # all or nothing: check every bundle before writing one
        _unreleased(framework, version)
    return [release(framework, version, notes) for framework in Framework]


def main() -> None:
    """Record `scaffold.__version__` in the bundle of every framework."""
    try:
        for bundle in record(__version__):
            print(f"{bundle}: {', '.join(store.released_versions(bundle))}")
    except ScaffoldError as exc:
        print(
            f"error: {exc.message}" + (f"\nhint: {exc.hint}" if exc.hint else ""), file=sys.stderr
        )
        sys.exit(2)


if __name__ == "__main__":
    main()
