"""`python -m server.poverty classify [--rule-set NAME] [--point-table FILE] [FILE]`: one JSON result per record."""
import argparse
import json
import sys

from .classify import classify
from .errors import InputInvalid, RuleSetError
from .messages import message
from .points import load_point_table
from .rules import load_rule_set
from .validate import validate_record


def main(argv=None, stdin=None, stdout=None, stderr=None):
    """Run the command line; return the exit status (0 all valid, 1 some record invalid, 2 usage error)."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    parser = argparse.ArgumentParser(prog="python -m server.poverty")
    commands = parser.add_subparsers(dest="command", required=True)
    cmd = commands.add_parser("classify", help="classify household records (one JSON object, or JSON Lines)")
    cmd.add_argument("--rule-set", help="rule set name (e.g. 2022-2026) or file; overrides the review year's")
    cmd.add_argument("--point-table", help="B1 point table (CSV or XLSX) to recompute B1 totals from their items")
    cmd.add_argument("file", nargs="?", help="input file (default: standard input)")
    args = parser.parse_args(argv)
    try:
        rule_set = load_rule_set(args.rule_set) if args.rule_set else None
        table = load_point_table(args.point_table, rule_set=rule_set) if args.point_table else None
        source = open(args.file, encoding="utf-8") if args.file else stdin
    except (RuleSetError, InputInvalid, OSError) as e:
        print(f"error: {e}", file=stderr)
        return 2
    invalid = False
    with source:
        for line_no, text in records(source):
            out = classify_line(line_no, text, rule_set, table)
            invalid = invalid or "error" in out
            stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    stdout.flush()
    return 1 if invalid else 0


def records(source):
    """Yield (line number, text) per record: JSON Lines, or one JSON object spread over several lines."""
    first = None
    for line_no, line in enumerate(source, start=1):
        if not line.strip():
            continue
        first = (line_no, line)
        break
    if first is None:
        return
    try:
        json.loads(first[1])
    except ValueError:
        # Not a record on one line: either one pretty-printed object, or JSON Lines with a broken first line.
        rest = source.read()
        whole = first[1] + rest
        try:
            json.loads(whole)
        except ValueError:
            yield from _numbered(whole, first[0])
            return
        yield first[0], whole
        return
    yield first
    for line_no, line in enumerate(source, start=first[0] + 1):
        if line.strip():
            yield line_no, line


def _numbered(text, start):
    """Yield (line number, line) for the non-blank lines of a text."""
    for offset, line in enumerate(text.splitlines()):
        if line.strip():
            yield start + offset, line


def classify_line(line_no, text, rule_set, table):
    """Return a result, or {"error": {"line", "code", "message", "fields"}} for a record that cannot be classified."""
    try:
        data = json.loads(text)
    except ValueError as e:
        return {"error": {"line": line_no, "code": "invalid_json", "message": message("invalid_json", detail=str(e)),
                          "fields": []}}
    try:
        return classify(validate_record(data, rule_set), rule_set, point_table=table)
    except InputInvalid as e:
        return {"error": {"line": line_no, "code": e.code, "message": message("record_invalid"),
                          "fields": [{"path": x.get("path", x.get("column", "")), "message": x["message"]}
                                     for x in e.errors]}}
