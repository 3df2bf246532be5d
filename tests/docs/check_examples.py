#!/usr/bin/env python3
"""Run the worked examples in the docs and require their printed output.

Every ```console block in README.md and docs/*.md is a transcript: a line
"$ COMMAND" is run with bash (stdout and stderr together, as a terminal shows
them), and the lines up to the next "$ " line or the end of the block are its
expected output. Commands run in the build's firmware/x86_64 directory with
the build directory first on PATH, so `emu hello.elf` means the built files.
A transcript line "[exit N]" right after the output checks the exit status.

usage: check_examples.py SOURCE_DIR BUILD_DIR [--update]

--update rewrites every transcript with what emu prints now (after a change
that moves firmware addresses, say): read the diff before committing it.
"""
import pathlib
import re
import subprocess
import sys


def transcripts(path):
    text = path.read_text()
    for block in re.finditer(r"```console\n(.*?)```", text, re.S):
        yield from transcripts_in_lines(block.group(1).splitlines())


def run_command(cmd, cwd, env):
    run = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    return run.stdout.decode(errors="replace").splitlines(), run.returncode


def update(doc, cwd, env):
    """Rewrite doc's console blocks with the current output, keeping [exit N] lines where they were."""
    def block(match):
        out = []
        for cmd, expected in transcripts_of(match.group(1)):
            got, status = run_command(cmd, cwd, env)
            out.append("$ " + cmd)
            out.extend(got)
            if expected and re.fullmatch(r"\[exit \d+\]", expected[-1]):
                out.append(f"[exit {status}]")
        return "```console\n" + "\n".join(out) + "\n```"
    text = doc.read_text()
    new = re.sub(r"```console\n(.*?)```", block, text, flags=re.S)
    if new != text:
        doc.write_text(new)
        print(f"updated {doc}")


def transcripts_of(body):
    return transcripts_in_lines(body.splitlines())


def transcripts_in_lines(lines):
    cmd, expected = None, []
    for line in lines:
        if line.startswith("$ "):
            if cmd is not None:
                yield cmd, expected
            cmd, expected = line[2:], []
        elif cmd is not None:
            expected.append(line)
    if cmd is not None:
        yield cmd, expected


def main():
    source, build = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve()
    cwd = build / "firmware" / "x86_64"
    env = {"PATH": f"{build}:/usr/bin:/bin", "LC_ALL": "C"}
    docs = [source / "README.md"] + sorted((source / "docs").rglob("*.md"))
    if "--update" in sys.argv[3:]:
        for doc in docs:
            update(doc, cwd, env)
        return 0
    passed = failed = 0
    for doc in docs:
        for cmd, expected in transcripts(doc):
            want_status = None
            if expected and re.fullmatch(r"\[exit \d+\]", expected[-1]):
                want_status = int(expected[-1][6:-1])
                expected = expected[:-1]
            got, returncode = run_command(cmd, cwd, env)
            name = f"{doc.relative_to(source)}: $ {cmd}"
            if got != expected:
                print(f"FAIL {name}\n--- documented\n" + "\n".join(expected) +
                      "\n--- emu printed\n" + "\n".join(got))
                failed += 1
            elif want_status is not None and returncode != want_status:
                print(f"FAIL {name}: exit status {returncode}, documented {want_status}")
                failed += 1
            else:
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
