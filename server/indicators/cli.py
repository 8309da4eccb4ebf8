"""`flask --app server indicators --year YEAR [--unit CODE] [--basis approved|recognised|submitted]
[--format json|csv]`: the indicator table of CODE (default: the province) and its children."""

from __future__ import annotations

import csv
import json
import sys

import click

from server.core.errors import Problem
from server.core.requests import fail_command
from server.indicators.operations import indicator_table

# The CSV columns: the contract's keys, nested objects flattened as "key.sub".
CSV_KEYS = ("code", "name", "level", "households", "persons", "surveyed", "counted", "poor", "near_poor", "middle",
            "middle_agricultural", "poor_persons", "near_poor_persons", "middle_persons", "poor_rate",
            "near_poor_rate", "multidimensional_rate", "middle_agricultural_rate", "poor_persons_rate",
            "near_poor_persons_rate", "middle_persons_rate", "mean_deficits_poor", "deficits_poor",
            "mean_deficits_near_poor", "deficits_near_poor", "flows_poor", "flows_poor_persons", "flows_near_poor",
            "flows_near_poor_persons")


def flat_row(row: dict) -> dict:
    """One table row as flat CSV columns."""
    out = {}
    for key in CSV_KEYS:
        value = row[key]
        if isinstance(value, dict):
            out.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            out[key] = value
    return out


@click.command("indicators")
@click.option("--year", required=True, help="Review year / năm rà soát.")
@click.option("--unit", default=None, help="Unit code (default: the province) / mã đơn vị.")
@click.option("--basis", default="approved", help="approved | recognised | submitted.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
def indicators(year, unit, basis, fmt):
    """Print the indicator table of a unit and its children (JSON, or CSV one row per unit)."""
    try:
        table = indicator_table(year, unit, basis)
    except Problem as problem:
        fail_command(problem)
    if fmt == "json":
        click.echo(json.dumps(table, ensure_ascii=False, indent=1))
        return
    rows = [flat_row(r) for r in table["rows"]]
    writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
