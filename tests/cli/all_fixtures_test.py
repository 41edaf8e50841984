#!/usr/bin/python3
"""Every bad input of the corpus through every command that reads it, and every write failure.

1. Each fixture of tests/data/bad is given to each command that takes that kind of file:
   scenarios to `validate`, `run --json` and `check`; manifests, Kubernetes objects, live Lists,
   Ansible inventories and checker configurations to `check`; delivery configurations to
   `pipeline`/`drift --json`; export options to `run`. Each must exit 2.
2. Output formats. `run` and `run --json` (and the delivery commands' text and --json) read and
   refuse their input before they choose a format, so one of each is run: --json, whose standard
   output must then be empty or JSON. `check` formats differ on an input error, so every check
   run asks for all five at once (text, json, sarif, junit, github), one of them on standard
   output (rotating over the fixtures, so that each format is seen both on standard output and in
   a file); each report must parse and carry the error (a SARIF toolExecutionNotification, valid
   against the SARIF 2.1.0 schema when ../shared/schemas is present, a JUnit <error>, a GitHub
   ::error annotation, a JSON "errors" entry).
3. Write failures: every command that writes, with standard output on /dev/full and on a closed
   pipe, and each output file on /dev/full, must exit 2 naming "standard output" or the file; a
   file that fails part-way leaves the previous file whole and no temporary behind.
4. Text that is not UTF-8 (a file name, a --set value) comes out as valid UTF-8 with a note.

Every run fails the test on: an unexpected exit code, a signal, "internal error" anywhere in the
output, output that is not UTF-8, or a JSON or XML report that does not parse.
Runs go through a thread pool (one worker per core): about 10 s for some 430 runs on two cores in
the release build. --timing lists the slowest runs.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

CHECK_FORMATS = ["github", "json", "sarif", "junit"]
SUFFIX = {"json": ".json", "sarif": ".sarif", "junit": ".xml"}
ROI = ["roi", "--build-hours", "80", "--rate", "100", "--manual-time", "2h", "--automated-time",
       "10min", "--deploys", "3", "--period", "week", "--horizon", "26w"]


@dataclass
class Case:
    name: str
    args: list
    exit_code: int = 2
    stdout: str = "pipe"       # "pipe", "full" (/dev/full) or "closed" (a pipe with no reader)
    stdout_format: str = None  # None (anything), "empty", "json", "junit", "sarif", "github"
    reports: dict = field(default_factory=dict)  # file -> format, written by check
    input_error: bool = True   # reports must carry an input error
    stderr_has: list = field(default_factory=list)
    stderr_lacks: list = field(default_factory=list)
    limit_file_blocks: int = 0  # the largest file the run may write, in 512-byte blocks
    after: object = None       # a further check: a function of the work directory -> problems


class Context:
    def __init__(self, deploysim, source, work):
        self.deploysim = deploysim
        self.source = source
        self.work = work
        self.validator = sarif_validator(source)


def sarif_validator(source):
    schema = source.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    if not schema.exists():
        if os.environ.get("CI", "") not in ("", "0", "false"):
            sys.exit(f"SARIF schema not found at {schema}: CI must check out ../shared")
        print(f"note: {schema} not found; SARIF is parsed but not validated")
        return None
    import jsonschema
    return jsonschema.Draft7Validator(json.loads(schema.read_text()))


# ---------------------------------------------------------------------------------------------
# The cases.

def check_args(index, inputs, name):
    """`check` with every format, one on standard output; the rest into files under `name`."""
    on_stdout = CHECK_FORMATS[index % len(CHECK_FORMATS)]
    args = ["check", *inputs, "--no-config", "--format", "text"]
    reports = {}
    for form in CHECK_FORMATS:
        args += ["--format", form]
        if form != on_stdout:
            report = f"{name}{SUFFIX.get(form, '.txt')}"
            args += ["--output", report]
            reports[report] = form
    return args, on_stdout, reports


def set_options(fixture):
    """The --set options of NAME.set beside a fixture, one override a line."""
    set_file = fixture.with_suffix(".set")
    if not set_file.exists():
        return []
    return [word for line in set_file.read_text().splitlines() if line.strip()
            for word in ("--set", line)]


def fixture_cases(source):
    bad = source / "tests" / "data" / "bad"
    cases = []
    counter = iter(range(10**6))

    def check_case(label, inputs):
        index = next(counter)
        args, on_stdout, reports = check_args(index, inputs, f"report-{index}")
        cases.append(Case(f"check {label}", args, stdout_format=on_stdout, reports=reports))

    for scenario in sorted(bad.glob("*.json")):
        sets = set_options(scenario)
        cases.append(Case(f"run --json {scenario.name}", ["run", str(scenario), "--json", *sets],
                          stdout_format="empty"))
        if not sets:
            cases.append(Case(f"validate {scenario.name}", ["validate", str(scenario)],
                              stdout_format="empty"))
            check_case(scenario.name, [str(scenario)])
    for manifest in sorted((bad / "check_manifest").glob("*.json")):
        check_case(f"manifest {manifest.name}", [str(manifest)])
    kubernetes = bad / "check_kubernetes"
    for objects in sorted(kubernetes.glob("*.yaml")):
        if not objects.name.endswith(".live.yaml"):
            check_case(f"--kubernetes {objects.name}", ["--kubernetes", str(objects)])
    manifests = source / "examples" / "kubernetes" / "manifests"
    for live in sorted([*kubernetes.glob("*.live.json"), *kubernetes.glob("*.live.yaml")]):
        check_case(f"--observed {live.name}",
                   ["--kubernetes", str(manifests), "--observed", str(live)])
    ansible = bad / "check_ansible"
    for spec in sorted(ansible.glob("*.args")):
        # The arguments name files of the corpus directory; the runs happen elsewhere.
        words = [str(ansible / word) if (ansible / word).exists() else word
                 for word in spec.read_text().split()]
        check_case(f"--ansible {spec.name}", words)
    knight = source / "examples" / "knight_capital" / "manifest.json"
    for config in sorted((bad / "check_config").glob("*.json")):
        # --config after --no-config would be refused as a usage error: give it alone.
        index = next(counter)
        args, on_stdout, reports = check_args(index, [str(knight)], f"report-{index}")
        args.remove("--no-config")
        cases.append(Case(f"check --config {config.name}", args + ["--config", str(config)],
                          stdout_format=on_stdout, reports=reports))
    for config in sorted((bad / "delivery").glob("*.json")):
        command = "drift" if config.name.startswith("drift") else "pipeline"
        cases.append(Case(f"{command} --config {config.name}",
                          [command, "--config", str(config), *set_options(config), "--json",
                           "--replicas", "1"], stdout_format="empty"))
    knight_scenario = source / "scenarios" / "knight_capital_2012.json"
    for spec in sorted((bad / "export").glob("*.args")):
        # A destination that fails after the run (a server that does not answer) comes after
        # the printed result, so standard output is not judged here.
        cases.append(Case(f"run --export {spec.name}",
                          ["run", str(knight_scenario), *spec.read_text().split()]))
    return cases


def writing_commands(source):
    """Each command that writes to standard output, with small work, and its exit code."""
    knight = str(source / "scenarios" / "knight_capital_2012.json")
    manifest = str(source / "examples" / "knight_capital" / "manifest.json")
    inventory = str(source / "examples" / "knight_capital" / "inventory.json")
    bad_manifest = str(source / "tests" / "data" / "bad" / "check_manifest" / "range_empty.json")
    check = ["check", manifest, "--observed", inventory, "--no-config"]
    quick_sweep = ["--replicas", "2", "--quiet", "--threads", "1"]
    pipeline = ["pipeline", "--replicas", "2", "--horizon", "7d"]
    drift = ["drift", "--replicas", "2", "--horizon", "7d"]
    roi = ROI
    return [
        (["run", knight], 0), (["run", knight, "--json"], 0), (["validate", knight], 0),
        (["sweep", knight, "--json", *quick_sweep], 0),
        (["compare", knight, "--variant", "gate:deployment.preflight_gate=true", "--json",
          *quick_sweep], 0),
        (["demo", "--servers", "10"], 0), (["demo", "--servers", "10", "--json"], 0),
        (["grafana", knight], 0), (["run", "--help"], 0), (["check", "--list-rules"], 0),
        (check, 1), (check + ["--format", "json"], 1), (check + ["--format", "sarif"], 1),
        (check + ["--format", "junit"], 1), (check + ["--format", "github"], 1),
        (["check", bad_manifest, "--no-config", "--format", "sarif"], 2),
        (pipeline, 0), (pipeline + ["--json"], 0), (drift, 0), (drift + ["--json"], 0),
        (roi, 0), (roi + ["--json"], 0), (["roi", "--xkcd"], 0),
        (["verify", knight, "-k", "1", "--quiet"], 1),
        (["verify", knight, "-k", "1", "--quiet", "--format", "sarif"], 1),
    ]


def writing_files(source):
    """Each option that writes a file, as (command with FILE in place of the file name)."""
    knight = str(source / "scenarios" / "knight_capital_2012.json")
    manifest = str(source / "examples" / "knight_capital" / "manifest.json")
    inventory = str(source / "examples" / "knight_capital" / "inventory.json")
    quick_sweep = ["--replicas", "2", "--quiet", "--threads", "1"]
    pipeline = ["pipeline", "--replicas", "2", "--horizon", "7d"]
    drift = ["drift", "--replicas", "2", "--horizon", "7d"]
    return [
        ["run", knight, "--timeseries", "FILE"],
        ["run", knight, "--trace", "FILE.jsonl"],
        ["run", knight, "--trace", "FILE.csv"],
        ["run", knight, "--export", "influx=FILE"],
        ["run", knight, "--export", "openmetrics=FILE"],
        ["run", knight, "--notifications", "FILE"],
        ["sweep", knight, "--csv", "FILE", *quick_sweep],
        ["sweep", knight, "--jsonl", "FILE", *quick_sweep],
        ["compare", knight, "--variant", "gate:deployment.preflight_gate=true", "--csv", "FILE",
         *quick_sweep],
        ["demo", "--servers", "10", "--trace", "FILE.jsonl"],
        ["grafana", knight, "--output", "FILE"],
        pipeline + ["--csv", "FILE"], pipeline + ["--timeseries", "FILE"],
        pipeline + ["--incidents", "FILE"],
        pipeline + ["--sweep-train-every", "1d,7d", "--csv", "FILE"],
        pipeline + ["--cost-curve", "--csv", "FILE"],
        drift + ["--timeseries", "FILE"], drift + ["--incidents", "FILE"],
        drift + ["--host-times", "FILE"],
        ROI + ["--csv", "FILE"],
        ["check", manifest, "--observed", inventory, "--no-config", "--write-baseline", "FILE"],
        ["check", manifest, "--observed", inventory, "--no-config", "--format", "sarif",
         "--output", "FILE"],
        ["verify", knight, "-k", "1", "--quiet", "--output", "FILE"],
        ["verify", knight, "-k", "1", "--quiet", "--counterexample", "FILE"],
    ]


def write_failure_cases(source, work):
    cases = []
    for args, _ in writing_commands(source):
        label = " ".join(Path(a).name if os.path.isabs(a) else a for a in args)
        for target in ("full", "closed"):
            cases.append(Case(f"{label} > {target}", args, stdout=target,
                              stderr_has=["standard output: cannot write"]))
    for index, args in enumerate(writing_files(source)):
        # Trace and demo files are chosen by extension: a link so named stands for /dev/full.
        named = [a for a in args if "FILE" in a][0]
        extension = named[named.index("FILE") + 4:]
        if not extension:
            target = "/dev/full"
        else:
            target = str(work / f"full-{index}{extension}")
            os.symlink("/dev/full", target)
        replaced = [a.replace("FILE" + extension, target) for a in args]
        label = " ".join(Path(a).name if os.path.isabs(a) else a for a in replaced)
        cases.append(Case(f"{label} (file on /dev/full)", replaced,
                          stderr_has=[f"{target}: cannot write"], stderr_lacks=["wrote "]))
    cases.append(keeps_previous_file_case(source))
    return cases


def keeps_previous_file_case(source):
    """A CSV that outgrows the file size limit part-way: the previous file stays whole."""
    knight = str(source / "scenarios" / "knight_capital_2012.json")

    def after(work):
        problems = []
        if (work / "runs.csv").read_text() != "old,good\n":
            problems.append("runs.csv was changed by a run that failed")
        left = [p.name for p in work.glob(".runs.csv.tmp-*")]
        if left:
            problems.append(f"temporary files left behind: {left}")
        return problems

    return Case("sweep --csv runs.csv beyond the file size limit",
                ["sweep", knight, "--csv", "runs.csv", "--replicas", "40", "--quiet",
                 "--threads", "1"],
                stderr_has=["runs.csv: cannot write: File too large"], limit_file_blocks=4,
                after=after)


def utf8_cases(source, work):
    """Names and values that are not UTF-8 go out as UTF-8, with a note."""
    bad_name = os.fsdecode(b"manifest-\xff\xfe.json")
    manifest = source / "tests" / "data" / "bad" / "check_manifest" / "range_empty.json"
    (work / bad_name).write_bytes(manifest.read_bytes())
    knight = str(source / "scenarios" / "knight_capital_2012.json")
    note = "not valid UTF-8"
    cases = []
    for index in range(len(CHECK_FORMATS)):
        args, on_stdout, reports = check_args(index, [bad_name], f"utf8-{index}")
        cases.append(Case(f"check a file name that is not UTF-8 ({on_stdout})", args,
                          stdout_format=on_stdout, reports=reports, stderr_has=[note]))
    value = os.fsdecode(b"name=Knight \xc0\xff")
    cases.append(Case("run --json --set a value that is not UTF-8", ["run", knight, "--json",
                      "--set", value], exit_code=0, stdout_format="json", stderr_has=[note]))
    cases.append(Case("run --set a value that is not UTF-8", ["run", knight, "--set", value],
                      exit_code=0, stderr_has=[note]))
    cases.append(Case("sweep --jsonl --set a value that is not UTF-8",
                      ["sweep", knight, "--set", value, "--replicas", "2", "--quiet", "--jsonl",
                       "rows.jsonl", "--json"], exit_code=0, stdout_format="json",
                      stderr_has=[note]))
    cases.append(Case("an unknown command that is not UTF-8", [os.fsdecode(b"r\xffn")],
                      stderr_has=['unknown command "r\ufffdn"', note]))
    return cases


# ---------------------------------------------------------------------------------------------
# Running and judging one case.

def run_case(context, case):
    work = context.work
    stdout_target = subprocess.PIPE
    opened = []
    if case.stdout == "full":
        stdout_target = open("/dev/full", "wb")
        opened.append(stdout_target)
    elif case.stdout == "closed":
        read_end, write_end = os.pipe()
        os.close(read_end)
        stdout_target = write_end
        opened.append(write_end)
    if case.after is not None:
        (work / "runs.csv").write_text("old,good\n")

    command = [context.deploysim, *case.args]
    if case.limit_file_blocks:
        # Past the limit the kernel sends SIGXFSZ, whose default kills: the signal disposition is
        # left as a user's shell leaves it, so that deploysim itself must ignore the signal and
        # report the EFBIG. (The shell, not preexec_fn: the runs are threads.)
        command = ["/bin/sh", "-c", f'ulimit -f {case.limit_file_blocks}; exec "$0" "$@"',
                   *command]
    try:
        completed = subprocess.run(command, cwd=work, stdin=subprocess.DEVNULL,
                                   stdout=stdout_target, stderr=subprocess.PIPE, timeout=120,
                                   env=dict(os.environ, GITHUB_ACTIONS="", NO_COLOR="1"))
    finally:
        for item in opened:
            item.close() if hasattr(item, "close") else os.close(item)
    return judge(context, case, completed)


def judge(context, case, completed):
    problems = []
    if completed.returncode < 0:
        return [f"killed by signal {-completed.returncode}"]
    if completed.returncode != case.exit_code:
        problems.append(f"exit {completed.returncode}, expected {case.exit_code}")
    texts = {"stderr": completed.stderr}
    if completed.stdout is not None:
        texts["stdout"] = completed.stdout
    for stream, data in texts.items():
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(f"{stream} is not UTF-8: {error}")
            continue
        if "internal error" in text:
            problems.append(f"{stream} says internal error: {text.strip()[:300]}")
    stderr = completed.stderr.decode("utf-8", "replace")
    if case.exit_code == 2 and not stderr.strip():
        problems.append("exit 2 with nothing on standard error")
    for wanted in case.stderr_has:
        if wanted not in stderr:
            problems.append(f"standard error lacks {wanted!r}: {stderr.strip()[:300]}")
    for unwanted in case.stderr_lacks:
        if unwanted in stderr:
            problems.append(f"standard error has {unwanted!r}: {stderr.strip()[:300]}")
    if completed.stdout is not None and case.stdout_format:
        problems += judge_report(context, case.stdout_format, completed.stdout, case.input_error,
                                 "standard output")
    for report, form in case.reports.items():
        path = context.work / report
        if not path.exists():
            problems.append(f"{report} ({form}) was not written")
            continue
        problems += judge_report(context, form, path.read_bytes(), case.input_error, report)
        path.unlink()
    if case.after is not None:
        problems += case.after(context.work)
    return problems


def judge_report(context, form, data, input_error, where):
    text = data.decode("utf-8", "replace")
    if form == "empty":
        return [] if not text.strip() else [f"{where}: output on an input error: {text[:200]}"]
    try:
        if form == "json":
            document = json.loads(text)
            if input_error and "errors" in document and not document["errors"]:
                return [f"{where}: a JSON report without the input error"]
        elif form == "sarif":
            return judge_sarif(context, json.loads(text), input_error, where)
        elif form == "junit":
            root = ElementTree.fromstring(data)
            if input_error and root.find(".//error") is None:
                return [f"{where}: a JUnit report without an <error>"]
        elif form == "github":
            lines = [line for line in text.splitlines() if line]
            if input_error and not any(line.startswith("::error file=") for line in lines):
                return [f"{where}: no ::error annotation: {text[:200]}"]
    except (ValueError, ElementTree.ParseError) as error:
        return [f"{where}: {form} does not parse: {error}"]
    return []


def judge_sarif(context, log, input_error, where):
    problems = []
    if context.validator is not None:
        for error in context.validator.iter_errors(log):
            problems.append(f"{where}: SARIF schema: {list(error.path)}: {error.message}")
    if input_error:
        invocation = log["runs"][0]["invocations"][0]
        notes = invocation.get("toolExecutionNotifications", [])
        if not notes or invocation.get("executionSuccessful", True):
            problems.append(f"{where}: SARIF without the input error as a notification")
        elif "locations" not in notes[0]:
            problems.append(f"{where}: the SARIF notification has no location")
    return problems


def timed(context, case):
    started = time.monotonic()
    problems = run_case(context, case)
    return case, problems, time.monotonic() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deploysim", required=True, help="the deploysim binary")
    parser.add_argument("--source", required=True, type=Path, help="the source directory")
    parser.add_argument("--jobs", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--timing", action="store_true", help="print the slowest runs")
    options = parser.parse_args()
    source = options.source.resolve()
    with tempfile.TemporaryDirectory(prefix="deploysim-all-fixtures-") as directory:
        work = Path(directory)
        context = Context(str(Path(options.deploysim).resolve()), source, work)
        cases = fixture_cases(source) + write_failure_cases(source, work) + utf8_cases(source, work)
        names = [case.name for case in cases]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            sys.exit(f"cases named twice: {sorted(duplicates)}")
        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            results = list(pool.map(lambda case: timed(context, case), cases))
    failed = [(case, problems) for case, problems, _ in results if problems]
    if options.timing:
        for case, _, seconds in sorted(results, key=lambda r: -r[2])[:15]:
            print(f"{seconds:6.2f} s  {case.name}")
    for case, problems in failed:
        print(f"FAIL {case.name}\n  deploysim {' '.join(case.args)}")
        for problem in problems:
            print(f"  {problem}")
    print(f"{len(cases) - len(failed)} of {len(cases)} runs as expected")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
