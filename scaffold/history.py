"""Record a release of the templates in the bundles the package ships.

    python -m scaffold.history            # add scaffold.__version__ to every bundle

Each framework has a git bundle in `templates/_history/`: one commit per released
template version, tagged with the scaffold version that shipped it, each made with the
store's fixed author and date on top of the previous release. The store fetches these tags
(see `scaffold.store`), so every machine knows every released version under the same
name and commit. Run this once per release, after bumping `scaffold.__version__`, and
commit the bundles with the release. A released version is never rewritten.
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


def released_versions(bundle: Path) -> list[str]:
    """The tags a bundle holds, oldest version first."""
    if not bundle.is_file():
        return []
    heads = git("bundle", "list-heads", str(bundle), cwd=bundle.parent).splitlines()
    tags = [line.split()[1].removeprefix("refs/tags/") for line in heads if " refs/tags/" in line]
    return sorted(tags, key=store.version_key)


def release(framework: Framework, version: str = __version__) -> Path:
    """Add the shipped `framework` template to its bundle as `version`; return the bundle."""
    source = store.package_templates() / framework.value
    bundle = store.history_bundle(framework)
    previous = released_versions(bundle)
    if version in previous:
        raise ScaffoldError(
            f"the {framework.label} template {version} is already released",
            hint="bump scaffold.__version__ before recording a new release",
        )
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
        git("commit", "--quiet", "--allow-empty", "-m", message, cwd=repo, env=store.IDENTITY)
        git("tag", version, cwd=repo)
        bundle.parent.mkdir(parents=True, exist_ok=True)
        written = repo / "new.bundle"
        git("bundle", "create", "--quiet", str(written), "--tags", cwd=repo)
        shutil.move(written, bundle)
    return bundle


def main() -> None:
    """Record `scaffold.__version__` in the bundle of every framework."""
    try:
        for framework in Framework:
            bundle = release(framework)
            print(f"{bundle}: {', '.join(released_versions(bundle))}")
    except ScaffoldError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
