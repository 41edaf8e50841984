#!/usr/bin/python3
"""The CI examples in examples/ci/ are tested as users would run them.

1. Each example manifest (with its inventory, if any) is checked with the example configuration,
   and the text and JSON output must equal the checked-in files in examples/ci/expected/ exactly.
2. The `deploysim check` command lines of the GitHub Actions workflow, the GitLab CI job and the
   pre-commit hook are taken from those files (parsed as YAML) and run as they are written, so
   the snippets cannot go stale: each must exit 1 (the examples have planted errors) and write
   the report file that the next step (upload-sarif, artifacts:reports:junit) reads.
3. The examples validate against the JSON schemas of core/check/.

Run by ctest; `--update` rewrites the expected files after a deliberate change of output.
"""

import argparse
import difflib
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

import jsonschema
import yaml

# name -> whether the example has an observed inventory
EXAMPLES = {"payments": True, "checkout": False}
CONFIG = "examples/ci/.deploysim-check.json"

failures = []
scratch_dirs = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message, file=sys.stderr)


def example_arguments(name, output_format):
    """The command line whose output examples/ci/expected/NAME.FORMAT holds (see README)."""
    args = ["check", f"examples/ci/{name}/manifest.json"]
    if EXAMPLES[name]:
        args += ["--observed", f"examples/ci/{name}/inventory.json"]
    return args + ["--config", CONFIG, "--format", output_format]


def clean_environment(binary_dir):
    env = dict(os.environ)
    for variable in ("GITHUB_ACTIONS", "NO_COLOR"):
        env.pop(variable, None)
    env["PATH"] = str(binary_dir) + os.pathsep + env.get("PATH", "")
    return env


def check_expected_outputs(source, deploysim, update):
    for name in EXAMPLES:
        for output_format, extension in (("text", "txt"), ("json", "json")):
            result = subprocess.run([deploysim] + example_arguments(name, output_format),
                                    cwd=source, capture_output=True, text=True,
                                    env=clean_environment(pathlib.Path(deploysim).parent))
            expected_file = source / "examples/ci/expected" / f"{name}.{extension}"
            if result.returncode != 1:
                fail(f"{name} ({output_format}): exit {result.returncode}, expected 1 "
                     f"(planted errors)\n{result.stderr}")
            if update:
                expected_file.write_text(result.stdout)
                continue
            expected = expected_file.read_text()
            if result.stdout != expected:
                diff = "".join(difflib.unified_diff(expected.splitlines(True),
                                                    result.stdout.splitlines(True),
                                                    str(expected_file), "actual output"))
                fail(f"{name} ({output_format}) differs from {expected_file}:\n{diff}")


def shell_lines(script):
    """The commands of a shell script, backslash-continued lines joined."""
    lines, current = [], ""
    for line in script.splitlines():
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        lines.append((current + line).strip())
        current = ""
    if current:
        lines.append(current.strip())
    return lines


def check_commands(script):
    return [line for line in shell_lines(script) if line.startswith("deploysim check")]


def github_snippets(source):
    workflow = yaml.safe_load((source / "examples/ci/github-actions.yml").read_text())
    commands, sarif_files = [], []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            commands += check_commands(step.get("run", ""))
            if str(step.get("uses", "")).startswith("github/codeql-action/upload-sarif@"):
                sarif_files.append(step["with"]["sarif_file"])
    return commands, sarif_files


def gitlab_snippets(source):
    pipeline = yaml.safe_load((source / "examples/ci/gitlab-ci.yml").read_text())
    commands, junit_files = [], []
    for job in pipeline.values():
        if not isinstance(job, dict) or "script" not in job:
            continue
        for line in job["script"]:
            commands += check_commands(line)
        junit_files.append(job["artifacts"]["reports"]["junit"])
    return commands, junit_files


def pre_commit_snippets(source):
    """entry + args for each use of a hook of .pre-commit-hooks.yaml, as pre-commit runs it."""
    hooks = {hook["id"]: hook for hook in yaml.safe_load((source / ".pre-commit-hooks.yaml").read_text())}
    config = yaml.safe_load((source / "examples/ci/.pre-commit-config.yaml").read_text())
    commands = []
    for repo in config["repos"]:
        for use in repo["hooks"]:
            hook = hooks.get(use["id"])
            if hook is None:
                fail(f".pre-commit-config.yaml uses hook {use['id']!r}, not in .pre-commit-hooks.yaml")
                continue
            for key in ("id", "name", "entry", "language"):
                if key not in hook:
                    fail(f".pre-commit-hooks.yaml: hook {hook['id']!r} has no {key!r}")
            if hook.get("pass_filenames", True):
                fail("the hook must not pass file names: deploysim check takes one manifest")
            commands.append(hook["entry"] + " " + shlex.join(use.get("args", [])))
    return commands


def run_snippet(source, deploysim, label, command, github=False):
    """Runs one command line through the shell in a scratch directory that sees examples/."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="deploysim-ci-snippet-"))
    scratch_dirs.append(work)
    (work / "examples").symlink_to(source / "examples")
    env = clean_environment(pathlib.Path(deploysim).parent)
    if github:
        env["GITHUB_ACTIONS"] = "true"
    result = subprocess.run(["bash", "-c", command], cwd=work, capture_output=True, text=True,
                            env=env)
    if result.returncode != 1:
        fail(f"{label}: `{command}` exited {result.returncode}, expected 1\n{result.stderr}")
    return work, result


def check_snippets(source, deploysim):
    commands, sarif_files = github_snippets(source)
    if not commands or not sarif_files:
        fail("github-actions.yml: no `deploysim check` command or no upload-sarif step")
    for command in commands:
        work, result = run_snippet(source, deploysim, "github-actions.yml", command, github=True)
        if "::error file=examples/ci/" not in result.stdout:
            fail(f"github-actions.yml: no annotation in the output of `{command}`")
        for sarif_file in sarif_files:
            path = work / sarif_file
            if not path.exists():
                fail(f"github-actions.yml: `{command}` wrote no {sarif_file} for upload-sarif")
                continue
            sarif = json.loads(path.read_text())
            if sarif.get("version") != "2.1.0" or not sarif["runs"][0]["results"]:
                fail(f"github-actions.yml: {sarif_file} is not SARIF 2.1.0 with results")

    commands, junit_files = gitlab_snippets(source)
    if not commands or not junit_files:
        fail("gitlab-ci.yml: no `deploysim check` command or no artifacts:reports:junit")
    for command in commands:
        work, _ = run_snippet(source, deploysim, "gitlab-ci.yml", command)
        for junit_file in junit_files:
            path = work / junit_file
            if not path.exists():
                fail(f"gitlab-ci.yml: `{command}` wrote no {junit_file} for reports:junit")
                continue
            root = ElementTree.parse(path).getroot()
            if root.tag != "testsuites" or not root.findall(".//failure"):
                fail(f"gitlab-ci.yml: {junit_file} has no <testsuites> with failures")

    commands = pre_commit_snippets(source)
    if not commands:
        fail(".pre-commit-config.yaml: no hook runs deploysim check")
    for command in commands:
        _, result = run_snippet(source, deploysim, "pre-commit hook", command)
        if "[DS" not in result.stdout:
            fail(f"pre-commit hook: no finding in the output of `{command}`")


def check_schemas(source):
    schemas = {kind: json.loads((source / f"core/check/{kind}.schema.json").read_text())
               for kind in ("manifest", "inventory", "check-config")}
    documents = [("check-config", CONFIG)]
    for name, has_inventory in EXAMPLES.items():
        documents.append(("manifest", f"examples/ci/{name}/manifest.json"))
        if has_inventory:
            documents.append(("inventory", f"examples/ci/{name}/inventory.json"))
    for kind, document in documents:
        try:
            jsonschema.validate(json.loads((source / document).read_text()), schemas[kind])
        except jsonschema.ValidationError as error:
            fail(f"{document} does not validate against {kind}.schema.json: {error.message}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deploysim", required=True, help="the deploysim binary")
    parser.add_argument("--source", required=True, help="the repository root")
    parser.add_argument("--update", action="store_true", help="rewrite examples/ci/expected/")
    args = parser.parse_args()
    source = pathlib.Path(args.source).resolve()
    deploysim = str(pathlib.Path(args.deploysim).resolve())
    check_expected_outputs(source, deploysim, args.update)
    if not args.update:
        try:
            check_snippets(source, deploysim)
        finally:
            for work in scratch_dirs:
                shutil.rmtree(work, ignore_errors=True)
        check_schemas(source)
    if failures:
        print(f"{len(failures)} failure(s)", file=sys.stderr)
        return 1
    print("examples/ci: expected outputs, CI snippets and schemas OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
