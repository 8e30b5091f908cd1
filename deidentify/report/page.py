"""The report as one self-contained HTML page: inline CSS and JS, no external resource."""

from __future__ import annotations

from html import escape

from deidentify.report.content import Report, ReportRow
from deidentify.report.diff import ReportDiff, rows_count
from generated.model import ACTION_MEANINGS

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232a;
background:#f5f6f8}
header{background:#1f3a5f;color:#fff;padding:18px 32px}
header h1{margin:0 0 4px;font-size:22px;font-weight:600}
header p{margin:0;opacity:.85}
main{padding:8px 32px 40px;max-width:1500px}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:12px 20px;
margin:16px 0}
h2{font-size:17px;margin:4px 0 10px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 18px;margin:0}
dt{color:#5a6470}dd{margin:0;word-break:break-all}
code{font:13px ui-monospace,Menlo,Consolas,monospace}
ul{margin:0;padding-left:20px}li{margin:3px 0}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e7e9ec;vertical-align:top}
th{background:#eef1f5;position:sticky;top:0}
td.tag{font-family:ui-monospace,Menlo,Consolas,monospace;white-space:nowrap}
.code{display:inline-block;min-width:28px;padding:1px 6px;border-radius:4px;
font:12px ui-monospace,monospace;text-align:center;background:#e9ecef}
.X{background:#fde2e1;color:#8a1c17}.Z{background:#fff1d6;color:#7a4d00}
.D{background:#e6f0ff;color:#1d4f91}.U{background:#e9e4ff;color:#4b2a99}
.K{background:#dff5e3;color:#1f6b34}.C{background:#dff3f5;color:#145e66}
.filters{display:flex;gap:12px;align-items:center;margin:0 0 10px;flex-wrap:wrap}
.filters select,.filters input{font:inherit;padding:4px 8px;border:1px solid #c5cbd3;
border-radius:4px}
.filters input{width:300px}
.filters select{max-width:380px}
details{margin:0 0 10px}summary{cursor:pointer;color:#1f3a5f}
details dl{margin-top:8px}
#count{color:#5a6470}
"""

SCRIPT = """
(function(){
  var action=document.getElementById('action'),option=document.getElementById('option'),
      text=document.getElementById('text'),count=document.getElementById('count'),
      rows=document.querySelectorAll('#rows tbody tr');
  function apply(){
    var a=action.value,o=option.value,t=text.value.toLowerCase(),shown=0;
    rows.forEach(function(r){
      var ok=(!a||r.dataset.effective===a)&&(!o||r.dataset.options.split(' ').indexOf(o)>=0)
        &&(!t||r.textContent.toLowerCase().indexOf(t)>=0);
      r.hidden=!ok; if(ok){shown++;}
    });
    count.textContent=shown+' of '+rows.length+' rows';
  }
  [action,option].forEach(function(e){e.addEventListener('change',apply);});
  text.addEventListener('input',apply); apply();
})();
"""


def _code(code: str) -> str:
    css = code[0] if len(code) == 1 else "X"
    return f'<span class="code {css}">{escape(code)}</span>'


def _rows_table(rows: tuple[ReportRow, ...], table_id: str = "") -> str:
    ident = f' id="{table_id}"' if table_id else ""
    body = []
    for row in rows:
        options = " ".join(name for name, _ in row.options) or "-"
        body.append(
            f'<tr data-effective="{escape(row.effective)}" data-options="{escape(options)}">'
            f'<td class="tag">{escape(row.tag)}</td><td>{escape(row.name)}</td>'
            f"<td>{_code(row.basic)}</td><td>{_code(row.effective)}</td>"
            f"<td>{escape(row.source)}</td><td>{escape(row.behaviour)}</td></tr>"
        )
    return (f"<table{ident}><thead><tr><th>Tag</th><th>Attribute</th><th>Basic</th>"
            "<th>Effective</th><th>Set by</th><th>What this tool does</th></tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def _legend() -> str:
    entries = "".join(f"<dt>{_code(code.value)}</dt><dd>{escape(meaning)}</dd>"
                      for code, meaning in ACTION_MEANINGS.items())
    return f"<details><summary>Action codes (Table E.1-1a)</summary><dl>{entries}</dl></details>"


def _filters(report: Report) -> str:
    codes = sorted({row.effective for row in report.rows})
    options = sorted({name for row in report.rows for name, _ in row.options})
    action = "".join(f'<option value="{escape(c)}">{escape(c)}</option>' for c in codes)
    option = "".join(f'<option value="{escape(o)}">{escape(o)}</option>' for o in options)
    return (
        '<div class="filters">'
        '<label>Effective action <select id="action"><option value="">all</option>'
        f"{action}</select></label>"
        '<label>Option column <select id="option"><option value="">all</option>'
        f"{option}</select></label>"
        '<input id="text" type="search" placeholder="Filter by tag, name or behaviour">'
        '<span id="count"></span></div>'
    )


def _conflicts(report: Report) -> str:
    if not report.conflicts:
        return "<p>No row has two active options with different codes.</p>"
    items = "".join(
        f'<tr><td class="tag">{escape(row.tag)}</td><td>{escape(row.name)}</td>'
        f"<td>{', '.join(f'{escape(n)} {_code(c)}' for n, c in row.conflict)}</td>"
        f"<td>{_code(row.effective)} (the most protective)</td></tr>"
        for row in report.conflicts
    )
    return ("<table><thead><tr><th>Tag</th><th>Attribute</th><th>Codes of the active"
            " options</th><th>Resolved as</th></tr></thead>"
            f"<tbody>{items}</tbody></table>")


def _diff(diff: ReportDiff) -> str:
    parts = [f"<section><h2>Changes from edition {escape(diff.other)} to"
             f" {escape(diff.edition)}</h2><p>{rows_count(len(diff.added))} added,"
             f" {len(diff.removed)} removed, {len(diff.changed)} treated differently.</p>"]
    if diff.added:
        parts.append(f"<h3>Added</h3>{_rows_table(diff.added)}")
    if diff.removed:
        parts.append(f"<h3>Removed</h3>{_rows_table(diff.removed)}")
    if diff.changed:
        rows = "".join(
            f'<tr><td class="tag">{escape(c.tag)}</td><td>{escape(c.name)}</td>'
            f"<td>{_code(c.before)}</td><td>{_code(c.after)}</td>"
            f"<td>{escape(c.behaviour_after)}</td></tr>" for c in diff.changed)
        parts.append("<h3>Changed</h3><table><thead><tr><th>Tag</th><th>Attribute</th>"
                     "<th>Before</th><th>After</th><th>Now</th></tr></thead>"
                     f"<tbody>{rows}</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def _beyond(report: Report) -> str:
    rules = "".join(f"<li>{escape(text)}</li>" for text in report.beyond_rules)
    rows = "".join(
        f'<tr><td class="tag">{escape(row.tag)}</td><td>{escape(row.name)}</td>'
        f"<td>{escape(row.vr)}</td><td>{escape(row.category)}</td>"
        f"<td>{escape(row.criterion)}</td><td>{escape(row.behaviour)}</td></tr>"
        for row in report.beyond)
    return (f"<section><h2>Beyond Table E.1-1 (additions: {len(report.beyond)} unlisted"
            f" attributes)</h2><ul>{rules}</ul><table><thead><tr><th>Tag</th>"
            "<th>Attribute</th><th>VR</th><th>Identifies</th><th>Criterion</th>"
            f"<th>What this tool does</th></tr></thead><tbody>{rows}</tbody></table>"
            "</section>")


def as_html(report: Report, diff: ReportDiff | None = None) -> str:
    """The whole report as one HTML page."""
    options = "".join(
        f"<li>{escape(name)} <code>({escape(code.scheme)} {escape(code.value)})</code>"
        f" {escape(code.meaning)}</li>" for name, code in report.options
    ) or "<li>none: the Basic Profile alone</li>"
    limits = "".join(f"<li>{escape(text)}</li>" for text in report.limitations)
    merged = "".join(f"<li><code>{escape(tag)}</code>: {escape(how)}</li>"
                     for tag, how in report.merged_duplicates)
    profile_code = report.profile_code
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conformance report: {escape(report.profile)}</title>
<style>{STYLE}</style></head>
<body><header><h1>Conformance report: <code>{escape(report.profile)}</code></h1>
<p>{escape(report.tool)} {escape(report.version)}, DICOM PS3.15 {escape(report.edition)}
Annex E</p></header><main>
<section><h2>Edition and profile</h2><dl>
<dt>Tool</dt><dd>{escape(report.tool)} {escape(report.version)}</dd>
<dt>Edition</dt><dd>PS3.15 {escape(report.edition)},
<code>{escape(report.source_url)}</code></dd>
<dt>SHA-256</dt><dd><code>{escape(report.sha256)}</code></dd>
<dt>Profile</dt><dd>{escape(profile_code.meaning)}
<code>({escape(profile_code.scheme)} {escape(profile_code.value)})</code></dd>
<dt>Options</dt><dd><ul>{options}</ul></dd>
<dt>Compound codes</dt><dd>{escape(report.policy)}: {escape(report.policy_description)}</dd>
<dt>Replacement UIDs</dt><dd>{escape(report.uid_scheme)} scheme</dd>
<dt>Unknown elements</dt><dd>{escape(report.unknown)}</dd>
</dl></section>
<section><h2>Not implemented</h2><ul>{limits}</ul></section>
<section><h2>Conflicting options ({len(report.conflicts)} rows)</h2>{_conflicts(report)}
</section>
{f'<section><h2>Tags listed twice in the edition</h2><ul>{merged}</ul></section>'
 if merged else ''}
<section><h2>Table E.1-1 ({len(report.rows)} rows)</h2>{_legend()}{_filters(report)}
{_rows_table(report.rows, "rows")}</section>
{_beyond(report)}
{_diff(diff) if diff is not None else ''}
</main><script>{SCRIPT}</script></body></html>
"""
