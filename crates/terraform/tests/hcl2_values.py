"""Prints the attribute values python-hcl2 reads from each .tf file given, as
JSON lines {"file": ..., "values": {path: value}}. A path is
`kind#index/label/.../attribute`, the index counting blocks of that kind in
their parent. String literals are unquoted and unescaped; heredocs give their
text; any other expression is kept as python-hcl2 prints it (`${...}`)."""

import json
import re
import sys

import hcl2

HEREDOC = re.compile(r'^"<<-?([A-Za-z_][A-Za-z0-9_]*)\n(.*)\n[ \t]*\1"$', re.S)


def scalar(value):
    if not isinstance(value, str):
        return value
    match = HEREDOC.match(value)
    if match and "${" not in match.group(2) and "%{" not in match.group(2):
        return {"heredoc": match.group(2) + "\n"}
    if len(value) >= 2 and value[0] == '"' and value[-1] == '"' and "${" not in value and "%{" not in value:
        try:
            return json.loads(value)
        except ValueError:
            return {"expression": value}
    return {"expression": value}


def plain(value):
    """A literal value (lists and objects of literals), or None."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        if value.get("__is_block__"):
            return None
        out = {}
        for k, v in value.items():
            out[unquote(k)] = plain(v)
        return out
    return scalar(value)


def unquote(key):
    if len(key) >= 2 and key[0] == '"' and key[-1] == '"':
        return json.loads(key)
    return key


def is_block_list(value):
    return isinstance(value, list) and value and all(
        isinstance(v, dict) and block_body(v) is not None for v in value)


def block_body(item):
    labels = []
    while isinstance(item, dict) and not item.get("__is_block__"):
        if len(item) != 1:
            return None
        (label, item), = item.items()
        labels.append(unquote(label))
    if not isinstance(item, dict):
        return None
    return labels, item


def walk(body, prefix, out):
    for key, value in body.items():
        if key == "__is_block__" or key.startswith("__"):
            continue
        if is_block_list(value):
            for index, item in enumerate(value):
                labels, inner = block_body(item)
                path = "/".join([f"{prefix}{key}#{index}"] + labels) + "/"
                walk(inner, path, out)
        else:
            out[prefix + unquote(key)] = plain(value)


for path in sys.argv[1:]:
    with open(path) as f:
        data = hcl2.load(f)
    values = {}
    walk(data, "", values)
    print(json.dumps({"file": path, "values": values}))
