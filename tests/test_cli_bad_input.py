"""Bad input to the real ``harness`` command: one line naming what is wrong, exit 2, never a traceback.

Every test runs the console script's entry point in a subprocess (``python -m harness``) as a user
or CI job would, and checks that nothing ran before the refusal.
"""

import argparse
import json
import os
import socket
import subprocess
import sys

import pytest

from harness.cli import _parser
from harness.cli_support import run_command
from tests.conftest import ROOT
from tests.devices.adb_peers import FakeAdbServer, ShellTable

SHORT = "scenarios/exponea/custom-event.yaml"


def harness(*args, env=None, timeout=120, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "harness", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


def one_line_error(proc, *fragments):
    """The refusal: exit 2, exactly one line on stderr containing ``fragments``, no scenario ran."""
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert "[1/" not in proc.stdout, "a scenario ran before the refusal"
    return lines[0]


# -- faults ------------------------------------------------------------------------------------


def test_run_with_an_unknown_fault_says_so_once_and_suggests_close_names():
    out = harness("run", "--fault", "sends-after-stp")
    line = one_line_error(out, "--fault", "'sends-after-stp'", "did you mean 'sends-after-stop'")
    assert out.stdout == ""
    assert line.count("sends-after-stp'") == 1


def test_run_with_a_fault_not_seeded_on_the_device_platform_is_refused():
    one_line_error(harness("run", "--device", "virtual:ios", "--fault", "ids-merged"), "'ids-merged'", "ios")


def test_selftest_with_an_unknown_fault_is_refused_before_the_baseline():
    out = harness("selftest", "--fault", "no-devce-id")
    one_line_error(out, "no seeded fault 'no-devce-id'", "did you mean 'no-device-id'")
    assert "baseline" not in out.stdout


def test_a_fault_on_a_real_device_is_refused(tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = dict(os.environ, ADB_SERVER_SOCKET=f"tcp:127.0.0.1:{port}")
    out = harness("run", "--device", "android:R58M123ABC", "--fault", "no-device-id", SHORT, env=env)
    one_line_error(out, "--fault", "android:R58M123ABC runs a real SDK")


def test_faults_lists_every_seeded_fault_readably():
    listed = {}
    for platform in ("android", "ios"):
        details = subprocess.run(
            [sys.executable, "-m", "harness.virtual", "--list-faults", "--details", "--platform", platform],
            capture_output=True,
            text=True,
            check=True,
        )
        listed.update({f["name"]: f for f in json.loads(details.stdout)})
    out = harness("faults")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["NAME", "PLATFORMS", "VIOLATES", "DESCRIPTION"]
    rows = {line.split()[0]: line for line in lines[1:-1]}
    assert set(rows) == set(listed)
    merged = rows["ids-merged"]
    assert "android " in merged and "android#13" in merged and listed["ids-merged"]["description"] in merged
    assert lines[-1].startswith(f"{len(listed)} seeded faults")


def test_faults_json_for_one_platform():
    out = harness("faults", "--platform", "ios", "--json")
    assert out.returncode == 0, out.stderr
    faults = json.loads(out.stdout)
    assert faults and all("ios" in f["platforms"] for f in faults)
    assert "ids-merged" not in {f["name"] for f in faults}  # android only
    assert set(faults[0]) >= {"name", "platforms", "violates", "description"}


# -- check --------------------------------------------------------------------------------------


def test_check_on_a_missing_file(tmp_path):
    one_line_error(harness("check", "--profile", "exponea-android", str(tmp_path / "nope.jsonl")), "no such file")


def test_check_on_a_file_that_is_not_jsonl(tmp_path):
    f = tmp_path / "capture.jsonl"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    one_line_error(harness("check", "--profile", "exponea-android", str(f)), str(f), "not JSONL")
    f.write_text("method,path\nPOST,/x\n")
    one_line_error(harness("check", "--profile", "exponea-android", str(f)), f"{f}:1", "not a captured request")


def test_check_with_an_unknown_profile_names_the_known_ones(tmp_path):
    f = tmp_path / "capture.jsonl"
    f.write_text('{"method": "POST", "path": "/x", "headers": {}, "body": ""}\n')
    one_line_error(harness("check", "--profile", "exponea-andriod", str(f)), "'exponea-andriod'", "exponea-android")


def test_check_help_lists_the_profiles():
    out = harness("check", "--help")
    assert out.returncode == 0 and "exponea-android" in out.stdout and "exponea-ios" in out.stdout


# -- collector, diff, coverage ----------------------------------------------------------------------


def test_collector_serve_on_a_port_out_of_range(tmp_path):
    out = harness("collector", "serve", "--port", "99999", "--store", str(tmp_path / "c.sqlite"))
    one_line_error(out, "--port", "99999")


def test_collector_serve_on_a_port_in_use(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        out = harness("collector", "serve", "--port", str(port), "--store", str(tmp_path / "c.sqlite"))
    one_line_error(out, f"127.0.0.1:{port}")


def test_diff_of_missing_folders(tmp_path):
    one_line_error(harness("diff", str(tmp_path / "a"), str(tmp_path / "b")), str(tmp_path / "a"), "no such folder")


def test_diff_of_a_folder_that_is_not_a_run(tmp_path):
    one_line_error(harness("diff", str(tmp_path), str(tmp_path)), str(tmp_path), "not a recorded run")


def test_output_into_a_closed_pipe_leaves_quietly():
    """``harness coverage --json | head``: the reader is gone before the first write."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "harness", "coverage", "--json"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    proc.stdout.close()
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.wait(60)
    assert err == ""


# -- devices ------------------------------------------------------------------------------------------


def test_unknown_device_scheme_names_the_known_ones():
    one_line_error(
        harness("run", "--device", "foo:bar"),
        "foo:bar: unknown device scheme 'foo' (known: virtual, jvm, android, ios)",
    )
    one_line_error(harness("run", "--device", "andriod:X"), "did you mean 'android'?")


def test_jvm_device_without_frida_says_what_to_install_once():
    code = "import sys; sys.modules['frida'] = None; from harness.cli import main; sys.exit(main())"
    out = subprocess.run(
        [sys.executable, "-c", code, "run", "--device", "jvm:android", SHORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    one_line_error(out, "jvm:android", "pip install 'engagement-harness[frida]'")


def test_jvm_device_without_a_jdk_says_what_to_install_once(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path))  # no java, no javac
    out = harness("run", "--device", "jvm:android", SHORT, "scenarios/exponea/identify.yaml", env=env)
    one_line_error(out, "jvm:android", "apt-get install default-jdk-headless")


def test_unknown_android_serial_names_the_serials_the_adb_server_has():
    server = FakeAdbServer(ShellTable(), serial="R58M123ABC")
    try:
        env = dict(os.environ, ADB_SERVER_SOCKET=f"tcp:127.0.0.1:{server.port}")
        out = harness("run", "--device", "android:NOSUCHSERIAL", SHORT, env=env)
    finally:
        server.close()
    one_line_error(out, "android:NOSUCHSERIAL", f"adb server at 127.0.0.1:{server.port}", "R58M123ABC")


def test_unknown_android_serial_without_an_adb_server_says_none_answered():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    env = dict(os.environ, ADB_SERVER_SOCKET=f"tcp:127.0.0.1:{port}")
    out = harness("run", "--device", "android:NOSUCHSERIAL", SHORT, env=env)
    one_line_error(out, "android:NOSUCHSERIAL", f"no adb server answered at 127.0.0.1:{port}")


# -- report folder --------------------------------------------------------------------------------------


def test_report_into_a_folder_with_an_earlier_run_is_refused_or_replaced(tmp_path):
    out = tmp_path / "run"
    first = harness("run", "--report", str(out), SHORT)
    assert first.returncode == 0, first.stdout + first.stderr
    before = (out / "results.json").read_text()
    one_line_error(harness("run", "--report", str(out), "scenarios/exponea/identify.yaml"), "earlier run", "--force")
    assert (out / "results.json").read_text() == before
    again = harness("run", "--report", str(out), "--force", "scenarios/exponea/identify.yaml")
    assert again.returncode == 0, again.stdout + again.stderr
    results = json.loads((out / "results.json").read_text())["results"]
    assert {r["scenario"] for r in results} == {"identify-customer"}
    assert not list(out.rglob("custom-event*")), "captures of the earlier run were left beside the new ones"


def test_report_into_a_folder_of_other_files_is_refused(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    one_line_error(harness("run", "--report", str(tmp_path), "--force", SHORT), "not empty")
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_pytest_harness_report_into_a_folder_with_an_earlier_run_is_refused_before_the_tests(tmp_path):
    """The plugin shares the writer: it refuses at configure time, not with an INTERNALERROR at the end."""
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.json").write_text('{"format": 1}')
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--harness-report", str(tmp_path / "run"), SHORT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 4, out.stdout + out.stderr
    assert "INTERNALERROR" not in out.stdout + out.stderr and "Traceback" not in out.stdout + out.stderr
    assert out.stderr.strip() == f"ERROR: --harness-report: {tmp_path / 'run'}: holds an earlier run; give a new folder"


def test_junit_into_a_missing_folder_is_refused_before_the_run(tmp_path):
    one_line_error(harness("run", "--junit", str(tmp_path / "no" / "j.xml"), SHORT), "--junit")


# -- the command line itself ----------------------------------------------------------------------------


def test_version():
    from harness import __version__

    out = harness("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"harness {__version__}"


def test_an_unknown_option_is_one_line():
    one_line_error(harness("run", "--no-such-option"), "--no-such-option")


def _options(parser, path):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helped = {a.dest for a in action._choices_actions if a.help}
            for name, sub in action.choices.items():
                assert name in helped, f"command '{' '.join([*path, name])}' has no help"
                yield from _options(sub, [*path, name])
        elif not isinstance(action, argparse._HelpAction):
            yield " ".join(path), action


def test_every_option_of_every_command_has_help():
    missing = [f"{cmd} {a.option_strings or a.dest}" for cmd, a in _options(_parser(), ["harness"]) if not a.help]
    assert not missing, f"options without help: {missing}"


def test_an_unexpected_error_is_one_line_with_the_traceback_on_request(capsys):
    def broken(_args):
        raise KeyError("captures")

    assert run_command(broken, argparse.Namespace(), debug=False) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: internal error: KeyError: 'captures' (--debug or HARNESS_DEBUG=1 shows the traceback)"
    ]
    assert run_command(broken, argparse.Namespace(), debug=True) == 1
    err = capsys.readouterr().err
    assert "Traceback" in err and err.splitlines()[-1] == "error: internal error: KeyError: 'captures'"


@pytest.mark.parametrize("debug", ["1", ""])
def test_debug_env_shows_the_traceback_of_an_input_error(tmp_path, debug):
    out = harness("diff", str(tmp_path / "a"), str(tmp_path / "b"), env=dict(os.environ, HARNESS_DEBUG=debug))
    assert out.returncode == 2
    assert ("Traceback" in out.stderr) == bool(debug)
    assert out.stderr.splitlines()[-1].endswith("no such folder")
