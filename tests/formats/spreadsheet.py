"""Reads and writes CSV as a spreadsheet does, with Python's csv module and its `excel`
dialect (quotes where needed, CRLF line ends), for the import tests: the request, as JSON
on standard input, gives either an exported table to edit or a table to write, and how to
save it; the file's bytes go to standard output.

    spreadsheet.py < request.json > table.csv

    {"csv": "<exported text>", "edits": [{"where": {"slug": "x"}, "set": {"title_sl": "…"}}],
     "encoding": "cp1250" | "utf-8" | "utf-8-sig", "delimiter": ";"}
    {"header": ["external_id", …], "rows": [["p-1", …], …], "encoding": …, "delimiter": …}
"""
import csv
import io
import json
import sys


def main():
    request = json.load(sys.stdin)
    if "csv" in request:
        text = request["csv"]
        if text.startswith("\ufeff"):
            text = text[1:]
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = reader.fieldnames
        rows = []
        for record in reader:
            for edit in request.get("edits", []):
                if all(record[k] == v for k, v in edit["where"].items()):
                    record.update(edit["set"])
            rows.append([record[name] for name in header])
    else:
        header, rows = request["header"], request["rows"]
    out = io.StringIO(newline="")
    writer = csv.writer(out, dialect="excel", delimiter=request.get("delimiter", ","))
    writer.writerow(header)
    writer.writerows(rows)
    sys.stdout.buffer.write(out.getvalue().encode(request.get("encoding", "utf-8")))


if __name__ == "__main__":
    main()
