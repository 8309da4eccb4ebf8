"""Exceptions of the rule engine, each carrying bilingual messages."""
import json

from .messages import CATALOGUE, decode, message


class InputInvalid(ValueError):
    """Base of the engine's input errors: `.errors` is a list of dicts, each with a bilingual `message`."""

    code = "input_invalid"

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("; ".join(f"{_where(e)}: {e['message']['en']}" for e in self.errors))


def _where(error):
    """Name where an error is: its path, or its row and column."""
    if "path" in error:
        return error["path"] or "(record)"
    return f"row {error['row']}" + (f", column {error['column']}" if error.get("column") else "")


class RecordInvalid(InputInvalid):
    """A household record breaks the contract or lacks an answer a rule needs; errors: [{"path", "message"}]."""

    code = "record_invalid"

    @classmethod
    def one(cls, path, code, /, **params):
        """Build the error for one field."""
        return cls([{"path": path, "message": message(code, **params)}])


class FiguresInvalid(RecordInvalid):
    """A unit's figures (for village or commune status) are missing or inconsistent."""

    code = "figures_invalid"


class PointTableInvalid(InputInvalid):
    """A B1 point table is refused; errors: [{"row", "column", "message"}] (row 0: the file as a whole)."""

    code = "point_table_invalid"


class RuleSetError(ValueError):
    """A rule or form file is missing or broken: `.file`, `.key` (the offending key), bilingual `.message`."""

    def __init__(self, key, code, /, *, file=None, **params):
        self._set(file, [{"path": key, "message": message(code, **params)}])

    @classmethod
    def from_validation(cls, messages, *, prefix="", file=None):
        """Build the error from marshmallow messages, naming the first bad key (under `prefix`)."""
        self = cls.__new__(cls)
        self._set(file, [{"path": join_path(prefix, e["path"]), "message": e["message"]} for e in flatten(messages)])
        return self

    def under(self, prefix, file=None):
        """Re-root the error's keys under `prefix` (a builder's key inside a rule file)."""
        self._set(file or self.file, [{"path": join_path(prefix, e["path"]), "message": e["message"]}
                                      for e in self.errors])
        return self

    def _set(self, file, errors):
        self.file, self.errors = file, errors
        self.key, self.message = errors[0]["path"], errors[0]["message"]
        where = ": ".join(str(x) for x in (file, self.key) if x)
        ValueError.__init__(self, f"{where}: {self.message['en']}" if where else self.message["en"])


def read_json(path):
    """Read a rule or form file; an unreadable one raises RuleSetError naming the file."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise RuleSetError("", "rule_file_unreadable", file=str(path), detail=str(e)) from None


def join_path(parent, key):
    """Extend a field path: members + 2 -> members[2], members[2] + name -> members[2].name."""
    if key == "_schema":
        return parent
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if not parent or not key or str(key).startswith("["):
        return f"{parent}{key}"
    return f"{parent}.{key}"


def flatten(messages, parent=""):
    """Turn marshmallow's nested error dict into [{"path", "message"}] with bilingual messages."""
    out = []
    if isinstance(messages, dict):
        for key, sub in messages.items():
            out.extend(flatten(sub, join_path(parent, key)))
    elif isinstance(messages, list):
        for item in messages:
            out.extend(flatten(item, parent))
    else:
        code, params = decode(str(messages))
        if code not in CATALOGUE:  # a library's own English message: keep it rather than lose it
            code, params = "invalid_value", {"detail": str(messages)}
        out.append({"path": parent, "message": message(code, **params)})
    return out
