#!/usr/bin/env python3
"""The endpoint reference in docs/API.md, rendered from server/openapi.json (the document the
server serves at GET /openapi.json).

  api_reference.py          check: exit 1 when docs/API.md's reference differs from the document
  api_reference.py --write  rewrite the reference in docs/API.md from the document

The reference sits between the BEGIN and END markers; the prose around it is written by hand.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEGIN = "<!-- BEGIN REFERENCE: generated from server/openapi.json by scripts/checks/api_reference.py --write -->"
END = "<!-- END REFERENCE -->"
METHODS = ("get", "post", "put", "patch", "delete")


def resolve(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        section, kind, name = node["$ref"].lstrip("#/").split("/")
        node = doc[section][kind][name]
    return node


def ref_name(node):
    return node["$ref"].rsplit("/", 1)[1] if isinstance(node, dict) and "$ref" in node else None


def type_of(schema):
    """A short type for a schema: `Report`, `string`, `array of Report`, `string or null`."""
    if not isinstance(schema, dict):
        return ""
    name = ref_name(schema)
    if name:
        return f"[`{name}`](#{name.lower()})"
    if "oneOf" in schema:
        return " or ".join(type_of(s) for s in schema["oneOf"])
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = " or ".join(kind)
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return f"{kind}: " + ", ".join(f"`{v}`" for v in schema["enum"])
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    return kind


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def properties_table(schema, lines):
    required = set(schema.get("required", []))
    lines.append("| field | type | required | meaning |")
    lines.append("|---|---|---|---|")
    for name, prop in schema.get("properties", {}).items():
        meaning = prop.get("description", "") if isinstance(prop, dict) else ""
        if isinstance(prop, dict) and "default" in prop:
            meaning = (meaning + f" (default `{prop['default']}`)").strip()
        lines.append(f"| `{name}` | {cell(type_of(prop))} | {'yes' if name in required else 'no'} | {cell(meaning)} |")


def render(doc):
    lines = [BEGIN, "", f"Document version {doc['info']['version']} (OpenAPI {doc['openapi']}).", ""]
    for path, item in doc["paths"].items():
        shared_parameters = item.get("parameters", [])
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            lines += [f"### {method.upper()} {path}", "", op.get("summary", "")]
            if op.get("description"):
                lines += ["", op["description"]]
            if op.get("security") == []:
                lines += ["", "No token needed."]
            parameters = [resolve(doc, p) for p in shared_parameters + op.get("parameters", [])]
            if parameters:
                lines += ["", "Parameters: " + "; ".join(
                    f"`{p['name']}` ({p['in']}, {type_of(p.get('schema', {}))})" for p in parameters)]
            body = resolve(doc, op.get("requestBody")) if op.get("requestBody") else None
            if body:
                for media, content in body.get("content", {}).items():
                    schema = resolve(doc, content.get("schema", {}))
                    lines += ["", f"Request body, `{media}`:", ""]
                    properties_table(schema, lines)
            lines += ["", "| status | answer |", "|---|---|"]
            for status, response in op.get("responses", {}).items():
                response = resolve(doc, response)
                answer = response.get("description", "")
                schemas = [type_of(c.get("schema", {})) for c in response.get("content", {}).values()]
                if schemas:
                    answer += f" ({', '.join(schemas)})"
                if response.get("headers"):
                    answer += "; headers " + ", ".join(f"`{h}`" for h in response["headers"])
                lines.append(f"| {status} | {cell(answer)} |")
            lines.append("")
    lines += ["### Schemas", ""]
    for name, schema in doc["components"]["schemas"].items():
        lines += [f"#### {name}", ""]
        if schema.get("description"):
            lines += [schema["description"], ""]
        if "properties" in schema:
            properties_table(schema, lines)
        else:
            lines.append(type_of(schema))
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def main():
    doc = json.loads((ROOT / "server/openapi.json").read_text())
    api_md = ROOT / "docs/API.md"
    text = api_md.read_text()
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < 0:
        print(f"{api_md}: the reference markers are missing", file=sys.stderr)
        return 1
    current = text[start : end + len(END)]
    wanted = render(doc)
    if "--write" in sys.argv[1:]:
        api_md.write_text(text[:start] + wanted + text[end + len(END) :])
        print(f"{api_md}: reference rewritten from server/openapi.json")
        return 0
    if current != wanted:
        print("docs/API.md is out of step with server/openapi.json; run scripts/checks/api_reference.py --write", file=sys.stderr)
        return 1
    operations = sum(1 for item in doc["paths"].values() for m in METHODS if m in item)
    print(f"api reference: docs/API.md matches server/openapi.json ({operations} operations, {len(doc['components']['schemas'])} schemas)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
