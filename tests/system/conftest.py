"""
Shared pytest fixtures for sesh's system tests.

SESH_BUILD names the build directory whose bin/ holds the programs
(default /work/main/build, then ./build next to the repository root).

Fixtures:
  sesh_bin(name) -> absolute path of build/bin/<name>; skips the test when
                    the program has not been built.
  workdir        -> a fresh temporary directory (pathlib.Path), also used as
                    $HOME for the programs run by a test through `sesh_env`.
  sesh_env       -> an environment dict for subprocesses: HOME=workdir,
                    LC_ALL=C, no SSH_AUTH_SOCK / DISPLAY / SSH_ASKPASS.
"""

import os
import pathlib

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def build_dir():
	env = os.environ.get("SESH_BUILD")
	if env:
		return pathlib.Path(env).resolve()
	for cand in (pathlib.Path("/work/main/build"), REPO / "build"):
		if (cand / "bin").is_dir():
			return cand
	return REPO / "build"


@pytest.fixture(scope="session")
def sesh_bin():
	def resolve(name):
		path = build_dir() / "bin" / name
		if not os.access(path, os.X_OK):
			pytest.skip(f"{path} is not built (set SESH_BUILD)")
		return str(path)
	return resolve


@pytest.fixture
def workdir(tmp_path):
	return tmp_path


@pytest.fixture
def sesh_env(workdir):
	env = dict(os.environ)
	for var in ("SSH_AUTH_SOCK", "DISPLAY", "SSH_ASKPASS",
		    "SSH_ASKPASS_REQUIRE"):
		env.pop(var, None)
	env["HOME"] = str(workdir)
	env["LC_ALL"] = "C"
	return env
